package dev.wharf.dataplane.proxy;

import dev.wharf.config.Durations;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.ProxyAction.NextUpstream;
import io.netty.handler.codec.http.HttpMethod;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A route's {@code next_upstream} conditions (nginx {@code proxy_next_upstream}), compiled once per
 * snapshot: on which failures and statuses a request goes to the next endpoint, for which methods,
 * and for how long after the first attempt began.
 *
 * @param onError connect failures, resets, closes and invalid response heads
 * @param onTimeout connect, send and read timeouts
 * @param statuses response statuses that send the request to the next endpoint
 * @param nginxMethods whether nginx's method rule applies (only POST, LOCK and PATCH are
 *     non-idempotent) instead of Wharf's own (only GET, HEAD, PUT, DELETE, OPTIONS, TRACE are
 *     idempotent)
 * @param nonIdempotent POST, LOCK and PATCH are retried too
 * @param timeoutNanos no attempt starts this long after the first began; 0 means no limit
 */
record NextUpstreamRules(
    boolean onError,
    boolean onTimeout,
    Set<Integer> statuses,
    boolean nginxMethods,
    boolean nonIdempotent,
    long timeoutNanos) {
  /** Wharf's default: nginx's {@code error timeout}, with Wharf's idempotent-method rule. */
  static final NextUpstreamRules DEFAULT =
      new NextUpstreamRules(true, true, Set.of(), false, false, 0);

  private static final Set<HttpMethod> NGINX_NON_IDEMPOTENT =
      Set.of(HttpMethod.POST, HttpMethod.PATCH, HttpMethod.valueOf("LOCK"));

  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(
          HttpMethod.GET,
          HttpMethod.HEAD,
          HttpMethod.PUT,
          HttpMethod.DELETE,
          HttpMethod.OPTIONS,
          HttpMethod.TRACE);

  NextUpstreamRules {
    statuses = Set.copyOf(statuses);
  }

  /**
   * Whether a response with {@code status} sends the request to the next endpoint; asked of every
   * response, so the usual case (no statuses listed) neither boxes nor probes a set.
   */
  boolean retriesOn(int status) {
    return !statuses.isEmpty() && statuses.contains(status);
  }

  /** The rules of a validated proxy action. */
  static NextUpstreamRules of(ProxyAction p) {
    long timeout =
        p.hasNextUpstreamTimeout() ? Durations.toJava(p.getNextUpstreamTimeout()).toNanos() : 0;
    List<NextUpstream> listed = p.getNextUpstreamList();
    if (listed.isEmpty()) {
      return timeout == 0
          ? DEFAULT
          : new NextUpstreamRules(true, true, Set.of(), false, false, timeout);
    }
    Set<Integer> statuses = new HashSet<>();
    for (NextUpstream n : listed) {
      switch (n) {
        case HTTP_500 -> statuses.add(500);
        case HTTP_502 -> statuses.add(502);
        case HTTP_503 -> statuses.add(503);
        case HTTP_504 -> statuses.add(504);
        case HTTP_429 -> statuses.add(429);
        case HTTP_403 -> statuses.add(403);
        case HTTP_404 -> statuses.add(404);
        default -> {}
      }
    }
    return new NextUpstreamRules(
        listed.contains(NextUpstream.ERROR),
        listed.contains(NextUpstream.TIMEOUT),
        statuses,
        true,
        listed.contains(NextUpstream.NON_IDEMPOTENT),
        timeout);
  }

  /** Whether a request with {@code method} may be sent again after it left. */
  boolean replayable(HttpMethod method) {
    return nginxMethods
        ? nonIdempotent || !NGINX_NON_IDEMPOTENT.contains(method)
        : IDEMPOTENT.contains(method);
  }
}
