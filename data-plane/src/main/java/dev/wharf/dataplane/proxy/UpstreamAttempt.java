package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.TemplateRenderer;
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

  /**
   * Picks the endpoint of the next attempt, skipping those {@code retry} already tried, and begins
   * an attempt at it. The balancer's hash key is rendered from the request each time, as the
   * request is the same for every attempt.
   *
   * @return null when the upstream has no endpoint left; when it had none at all, counted as a
   *     {@code NO_ENDPOINT} error
   */
  static UpstreamAttempt next(
      ProxyTarget target, RoutedRequest routed, RetryPolicy retry, NodeServices node) {
    RequestRecord record = routed.record();
    String hashKey =
        target.upstream().hashKey() == null
            ? null
            : TemplateRenderer.render(target.upstream().hashKey(), record, routed.groups());
    UpstreamEndpoint endpoint =
        target.upstream().pick(hashKey, retry.tried(), node.ticker().nanoTime(), node.metrics());
    if (endpoint == null) {
      if (retry.nothingTried()) {
        node.metrics().upstreamError(target.upstream().name(), "", UpstreamErrorKind.NO_ENDPOINT);
      }
      return null;
    }
    retry.attempting(endpoint);
    return new UpstreamAttempt(endpoint, target, node, record);
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

  /**
   * A response head of {@code status} arrived: decides with {@code retry} whether the request goes
   * to the next endpoint instead (a {@code next_upstream} status; the record shows the status for
   * this attempt then), and feeds passive ejection: a 5xx counts as a failure (unless the upstream
   * counts no responses), and so does a status that sends the request on, as nginx counts a {@code
   * proxy_next_upstream http_*} status.
   *
   * @return whether the request goes to the next endpoint
   */
  boolean headReceived(int status, RetryPolicy retry, boolean bodyForwarded) {
    boolean next = status >= 200 && retry.statusReceived(status, bodyForwarded);
    if (status >= 200 || status == 101) {
      outcome(!target.upstream().countsResponse(status, next));
    }
    if (next) {
      ended(status);
    }
    return next;
  }

  /** The attempt failed; the record shows {@code status} for it (502 or 504). */
  void failed(UpstreamErrorKind kind, int status) {
    node.metrics().upstreamError(target.upstream().name(), endpoint.address(), kind);
    ended(status);
  }

  /**
   * The connect failed (504 when it timed out, else 502): the endpoint's slot is given back and the
   * failure counts against it for passive ejection.
   */
  void connectFailed(boolean timedOut) {
    endpoint.stats().released();
    failed(
        timedOut ? UpstreamErrorKind.CONNECT_TIMEOUT : UpstreamErrorKind.CONNECT_REFUSED,
        timedOut ? 504 : 502);
    outcome(false);
  }

  /** The request left and the attempt failed: reported with 502, counted for ejection. */
  void requestFailed(UpstreamErrorKind kind) {
    failed(kind, 502);
    outcome(false);
  }

  /**
   * The response came whole and goes to the client. Its bytes are counted now: the request body the
   * client sent (a retried request goes to one endpoint whole) and the response body, of which
   * {@code lastBytes} are in its last part, not written yet.
   */
  void responded(int status, int lastBytes) {
    long t = ended(status);
    node.metrics()
        .upstreamRequest(
            target.upstream().name(),
            endpoint.address(),
            status,
            t - start,
            record.requestBodyBytes(),
            record.bodyBytesWritten() + lastBytes);
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
