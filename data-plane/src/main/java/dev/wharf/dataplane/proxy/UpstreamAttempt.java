package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.metrics.UpstreamErrorKind;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.upstream.UpstreamConnection;
import dev.wharf.dataplane.upstream.UpstreamConnections;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;

/**
 * One try of a request at one endpoint: its timeline (started, connected, response head) and what
 * it reports when it ends: the access log's {@code $upstream_*} variables, the upstream metrics,
 * and passive ejection. Confined to the exchange's event loop.
 */
final class UpstreamAttempt {
  private final UpstreamEndpoint endpoint;
  private final ProxyTarget target;
  private final NodeServices node;
  private final RequestRecord record;
  private final long start;
  private long connectedAt = -1;
  private long headerAt = -1;

  /** Begins an attempt at {@code endpoint}: the record lists it, the endpoint counts it. */
  UpstreamAttempt(
      UpstreamEndpoint endpoint, ProxyTarget target, NodeServices node, RequestRecord record) {
    this.endpoint = endpoint;
    this.target = target;
    this.node = node;
    this.record = record;
    record.upstreamAttempt(target.upstream().name(), endpoint.address());
    this.start = now();
    endpoint.stats().acquired();
  }

  UpstreamEndpoint endpoint() {
    return endpoint;
  }

  void connected() {
    connectedAt = now();
  }

  /** The response head (or the {@code 101}) arrived. */
  void headerReceived() {
    headerAt = now();
  }

  /** Feeds passive ejection: connect failures, 5xx, resets and timeouts count against it. */
  void outcome(boolean success) {
    target.upstream().attemptEnded(endpoint, success, now(), node.metrics());
  }

  /** The attempt failed; the record shows {@code status} for it (502 or 504). */
  void failed(UpstreamErrorKind kind, int status) {
    node.metrics().upstreamError(target.upstream().name(), endpoint.address(), kind);
    ended(status);
  }

  /** The response went to the client whole. */
  void responded(int status) {
    long t = ended(status);
    node.metrics().upstreamRequest(target.upstream().name(), endpoint.address(), status, t - start);
  }

  /**
   * The attempt is done with {@code connection}: pooled for another request when {@code reusable},
   * else closed.
   */
  void release(UpstreamConnection connection, boolean reusable, UpstreamConnections pool) {
    endpoint.stats().released();
    if (reusable) {
      pool.release(connection, target.upstream().pool());
    } else {
      connection.detach();
      connection.channel().close();
    }
  }

  /** The endpoint accepted the WebSocket handshake. */
  void switched() {
    ended(101);
  }

  private long ended(int status) {
    long t = now();
    record.upstreamDone(
        status,
        connectedAt < 0 ? -1 : connectedAt - start,
        headerAt < 0 ? -1 : headerAt - start,
        t - start,
        null);
    return t;
  }

  private long now() {
    return node.ticker().nanoTime();
  }
}
