package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.metrics.UpstreamErrorKind;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * When one request may go to another endpoint, as nginx's default {@code proxy_next_upstream error
 * timeout} decides:
 *
 * <ul>
 *   <li>a failed connect goes to the next endpoint whatever the method: the request never left;
 *   <li>a request that left goes to the next endpoint when its method is idempotent, no byte of its
 *       body was forwarded and no byte of the response reached the client;
 *   <li>both share the route's {@code connect_retries} budget: at most {@code 1 + connect_retries}
 *       endpoints are tried;
 *   <li>once per request, a pooled connection the endpoint closed under a replayable request is
 *       retried on a fresh connection to the same endpoint, outside the budget: the endpoint
 *       processed nothing, its keep-alive timeout simply won the race.
 * </ul>
 *
 * A route's {@code next_upstream} ({@link NextUpstreamRules}) narrows or widens this: only the
 * listed failures retry, listed statuses retry too, nginx's method rule applies (POST, LOCK and
 * PATCH only with {@code non_idempotent}), and {@code next_upstream_timeout} bounds the time.
 *
 * <p>When no attempt is left the client is answered with the last attempt's failure: 504 when it
 * timed out, 502 otherwise, and 503 when the upstream had no endpoint to try at all.
 *
 * <p>Pure bookkeeping for one request; confined to its exchange's event loop.
 */
final class RetryPolicy {
  private final boolean replayableMethod;
  private final int connectRetries;
  private final NextUpstreamRules rules;
  private final LongSupplier nanoTime;
  private final long start;
  private final List<UpstreamEndpoint> tried = new ArrayList<>(2);
  private boolean retriedStale;
  private HttpResponseStatus lastFailure = HttpResponseStatus.BAD_GATEWAY;

  /**
   * Wharf's default rules ({@code error timeout}, idempotent methods), without a time limit.
   *
   * @param connectRetries further endpoints tried after the first one failed
   */
  RetryPolicy(HttpMethod method, int connectRetries) {
    this(method, connectRetries, NextUpstreamRules.DEFAULT, () -> 0L);
  }

  /** The policy of one request to {@code target}, timed by the node's {@code ticker}. */
  static RetryPolicy of(HttpMethod method, ProxyTarget target, Ticker ticker) {
    return new RetryPolicy(
        method, target.connectRetries(), target.nextUpstream(), ticker::nanoTime);
  }

  /**
   * @param rules the route's {@code next_upstream} conditions
   * @param nanoTime the node's ticker, for {@code next_upstream_timeout}; read now as the start
   */
  RetryPolicy(
      HttpMethod method, int connectRetries, NextUpstreamRules rules, LongSupplier nanoTime) {
    this.replayableMethod = rules.replayable(method);
    this.connectRetries = connectRetries;
    this.rules = rules;
    this.nanoTime = nanoTime;
    this.start = nanoTime.getAsLong();
  }

  /** The endpoints this request went to, for the balancer to skip. */
  List<UpstreamEndpoint> tried() {
    return tried;
  }

  /** An attempt at {@code endpoint} begins. */
  void attempting(UpstreamEndpoint endpoint) {
    tried.add(endpoint);
  }

  /** A connect failed; whether the next endpoint may be tried. */
  boolean connectFailed(boolean timedOut) {
    lastFailure = timedOut ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
    return (timedOut ? rules.onTimeout() : rules.onError()) && budgetLeft();
  }

  /**
   * The request left and the attempt failed ({@code kind}: reset, bad response, read or send
   * timeout); whether the next endpoint may be tried.
   *
   * @param bodyForwarded a byte of the request body went to the endpoint
   * @param answerStarted the endpoint's answer was accepted: a response head or a {@code 101}
   */
  boolean requestFailed(UpstreamErrorKind kind, boolean bodyForwarded, boolean answerStarted) {
    boolean timedOut =
        kind == UpstreamErrorKind.READ_TIMEOUT || kind == UpstreamErrorKind.SEND_TIMEOUT;
    lastFailure = timedOut ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
    return (timedOut ? rules.onTimeout() : rules.onError())
        && replayable(bodyForwarded, answerStarted)
        && budgetLeft();
  }

  /**
   * The endpoint answered with a response head of {@code status}, none of it relayed yet: whether
   * the request goes to the next endpoint instead (nginx {@code proxy_next_upstream http_502} and
   * the like). Never for a request part of whose body was forwarded: it cannot be sent again.
   */
  boolean statusReceived(int status, boolean bodyForwarded) {
    return rules.retriesOn(status) && replayable(bodyForwarded, false) && budgetLeft();
  }

  /**
   * A connection the endpoint closed before answering: whether to try {@code endpoint} once more on
   * a fresh connection. True only for the first pooled connection of the request ({@code
   * requestsOnConnection > 1}) closed under a replayable request; the endpoint is then no longer
   * counted as tried.
   */
  boolean retryStale(
      UpstreamEndpoint endpoint,
      int requestsOnConnection,
      boolean bodyForwarded,
      boolean answerStarted) {
    if (retriedStale || requestsOnConnection <= 1 || !replayable(bodyForwarded, answerStarted)) {
      return false;
    }
    retriedStale = true;
    tried.remove(endpoint);
    return true;
  }

  /** Whether no endpoint was tried yet: the upstream has none to offer. */
  boolean nothingTried() {
    return tried.isEmpty();
  }

  /** What the client is answered when no endpoint is left to try. */
  HttpResponseStatus exhausted() {
    return tried.isEmpty() ? HttpResponseStatus.SERVICE_UNAVAILABLE : lastFailure;
  }

  /** The status of the last failure so far (502 before any). */
  HttpResponseStatus lastFailure() {
    return lastFailure;
  }

  private boolean replayable(boolean bodyForwarded, boolean answerStarted) {
    return replayableMethod && !bodyForwarded && !answerStarted;
  }

  private boolean budgetLeft() {
    return tried.size() <= connectRetries
        && (rules.timeoutNanos() == 0 || nanoTime.getAsLong() - start < rules.timeoutNanos());
  }
}
