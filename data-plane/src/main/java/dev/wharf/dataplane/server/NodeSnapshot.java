package dev.wharf.dataplane.server;

import dev.wharf.dataplane.accesslog.AccessLogger;
import dev.wharf.dataplane.routing.RoutingTable;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import java.time.Instant;
import java.util.Map;

/**
 * Everything a request needs from one applied config, compiled off the event loops and published
 * with one reference swap. A request reads it once when its head arrives and keeps it until it
 * ends, so a swap never changes a request half way.
 *
 * @param accessLogs by listener name; listeners without an access log are absent
 */
public record NodeSnapshot(
    long version,
    Config config,
    RoutingTable routes,
    Map<String, AccessLogger> accessLogs,
    Instant appliedAt) {
  public NodeSnapshot {
    accessLogs = Map.copyOf(accessLogs);
  }

  /** The config of listener {@code name}; the default instance when it is gone. */
  public Listener listener(String name) {
    for (Listener l : config.getListenersList()) {
      if (l.getName().equals(name)) {
        return l;
      }
    }
    return Listener.getDefaultInstance();
  }
}
