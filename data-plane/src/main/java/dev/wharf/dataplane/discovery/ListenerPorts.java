package dev.wharf.dataplane.discovery;

import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.server.ListenerBindException;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import java.util.List;
import java.util.Map;

/**
 * Per-node listener ports: several nodes on one host (a local cluster, a test) share the fleet's
 * config but cannot bind the same port. The override applies to every version the node applies,
 * from the control plane or from its snapshot file; the fleet's config itself is unchanged.
 */
public final class ListenerPorts {
  private ListenerPorts() {}

  /** A sink that binds listener {@code name} on {@code ports.get(name)} where one is given. */
  public static ConfigSink override(ConfigSink sink, Map<String, Integer> ports) {
    if (ports.isEmpty()) {
      return sink;
    }
    ports.forEach(
        (name, port) -> {
          if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(
                "listener port " + name + "=" + port + " (expected: 1-65535)");
          }
        });
    Map<String, Integer> copy = Map.copyOf(ports);
    return new ConfigSink() {
      @Override
      public void apply(Config config, long version) throws ConfigException, ListenerBindException {
        sink.apply(rewrite(config, copy), version);
      }

      @Override
      public long version() {
        return sink.version();
      }

      @Override
      public List<EndpointHealthState> endpointHealth() {
        return sink.endpointHealth();
      }

      @Override
      public DrainProgress drainProgress() {
        return sink.drainProgress();
      }
    };
  }

  static Config rewrite(Config config, Map<String, Integer> ports) {
    Config.Builder b = config.toBuilder();
    for (int i = 0; i < b.getListenersCount(); i++) {
      Listener l = b.getListeners(i);
      Integer port = ports.get(l.getName());
      if (port != null) {
        b.setListeners(i, l.toBuilder().setPort(port));
      }
    }
    return b.build();
  }
}
