package dev.wharf.dataplane.server;

import dev.wharf.dataplane.accesslog.AccessLogger;
import dev.wharf.dataplane.http.ClientProtocol;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.node.NodeServices;

/**
 * What happens when a request ends, whatever answered it: its metrics and its access log line; and
 * the connection metrics of an HTTP/1.1 connection (an HTTP/2 connection counts itself, not its
 * streams).
 */
final class RequestEnds {
  private final String listener;
  private final ClientProtocol protocol;
  private final NodeServices services;
  private boolean opened;
  private long connectedAt;

  RequestEnds(String listener, ClientProtocol protocol, NodeServices services) {
    this.listener = listener;
    this.protocol = protocol;
    this.services = services;
  }

  /** Counts the connection open; true the first time, false when it was already counted. */
  boolean connectionOpened() {
    if (opened) {
      return false;
    }
    opened = true;
    connectedAt = services.ticker().nanoTime();
    if (!protocol.isHttp2()) {
      services.metrics().connectionOpened(listener);
    }
    return true;
  }

  void connectionClosed() {
    if (!protocol.isHttp2() && opened) {
      services.metrics().connectionClosed(listener, services.ticker().nanoTime() - connectedAt);
    }
  }

  /**
   * @param snapshot the snapshot the request was routed on (its access log), or null when it ended
   *     before that
   */
  void finished(RequestRecord record, NodeSnapshot snapshot) {
    record.finished(services.ticker().nanoTime());
    services
        .metrics()
        .requestCompleted(
            listener,
            protocol.label(),
            record.route().isEmpty() ? "-" : record.route(),
            record.status(),
            record.durationNanos(),
            record.requestBodyBytes(),
            record.bodyBytesOnTheWire());
    AccessLogger log = snapshot == null ? null : snapshot.accessLogs().get(listener);
    if (log != null) {
      log.log(record);
    }
  }
}
