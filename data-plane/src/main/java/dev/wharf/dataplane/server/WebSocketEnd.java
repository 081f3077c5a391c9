package dev.wharf.dataplane.server;

import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.ratelimit.ConnectionLeases;

/**
 * The end of a request that became a WebSocket, run by the relay when both connections are closed:
 * the route's connection leases go back, then the request's metrics and access log line, as {@link
 * RequestDispatcher#exchangeFinished} does for any other request, and the connection's close. It
 * holds only these, so the dispatcher and the HTTP handlers that left the pipeline are not kept
 * alive by an idle WebSocket.
 *
 * <p>Runs once, on the client connection's event loop.
 */
final class WebSocketEnd implements Runnable {
  private final RequestRecord record;
  private final ConnectionLeases leases;
  private final RequestEnds ends;
  private final NodeSnapshot snapshot;

  WebSocketEnd(
      RequestRecord record, ConnectionLeases leases, RequestEnds ends, NodeSnapshot snapshot) {
    this.record = record;
    this.leases = leases;
    this.ends = ends;
    this.snapshot = snapshot;
  }

  @Override
  public void run() {
    leases.release();
    ends.finished(record, snapshot);
    // The dispatcher left the pipeline at the switch, so its channelInactive never comes: the
    // HTTP/1.1 connection, closed by now, is counted closed here (a stream is not a connection).
    ends.connectionClosed();
  }
}
