package dev.wharf.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import dev.wharf.dataplane.metrics.UpstreamErrorKind;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.ProxyAction.NextUpstream;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * nginx's {@code proxy_next_upstream} conditions, {@code _tries} and {@code _timeout}, decided
 * without a channel, on an injected ticker.
 */
class NextUpstreamRulesTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final UpstreamEndpoint a = endpoint("10.0.0.1:80");
  private final UpstreamEndpoint b = endpoint("10.0.0.2:80");

  private static UpstreamEndpoint endpoint(String address) {
    return new UpstreamEndpoint(
        "backend",
        address,
        InetSocketAddress.createUnresolved(address.substring(0, address.indexOf(':')), 80),
        1,
        null);
  }

  private RetryPolicy policy(String method, int retries, ProxyAction.Builder p) {
    RetryPolicy policy =
        new RetryPolicy(
            HttpMethod.valueOf(method), retries, NextUpstreamRules.of(p.build()), now::get);
    policy.attempting(a);
    return policy;
  }

  private static ProxyAction.Builder listing(NextUpstream... conditions) {
    ProxyAction.Builder p = ProxyAction.newBuilder().setUpstream("u");
    for (NextUpstream n : conditions) {
      p.addNextUpstream(n);
    }
    return p;
  }

  @Test
  void offRetriesNothingNotEvenAFailedConnect() {
    RetryPolicy off = policy("GET", 3, listing(NextUpstream.OFF));
    assertFalse(off.connectFailed(false));
    assertFalse(off.connectFailed(true));
    assertFalse(off.requestFailed(UpstreamErrorKind.RESET, false, false));
    assertFalse(off.statusReceived(502, false));
  }

  @Test
  void errorAndTimeoutAreSeparateConditions() {
    RetryPolicy errorOnly = policy("GET", 3, listing(NextUpstream.ERROR));
    assertTrue(errorOnly.connectFailed(false));
    assertFalse(errorOnly.connectFailed(true), "a connect timeout is 'timeout'");
    assertFalse(errorOnly.requestFailed(UpstreamErrorKind.READ_TIMEOUT, false, false));
    assertTrue(errorOnly.requestFailed(UpstreamErrorKind.RESET, false, false));
  }

  @ParameterizedTest(name = "{0} answered {1}: next endpoint {2}")
  @CsvSource({
    "GET,   502, true",
    "GET,   503, true",
    "GET,   500, false",
    "GET,   404, false",
    "HEAD,  429, true",
    "PUT,   502, true",
    "DELETE,502, true",
    "POST,  502, false",
    "PATCH, 502, false",
    "LOCK,  502, false",
    "PURGE, 502, true",
  })
  void listedStatusesRetryAndPostLockPatchOnlyWithNonIdempotent(
      String method, int status, boolean next) {
    ProxyAction.Builder listed =
        listing(
            NextUpstream.ERROR,
            NextUpstream.HTTP_502,
            NextUpstream.HTTP_503,
            NextUpstream.HTTP_429);
    assertEquals(next, policy(method, 1, listed).statusReceived(status, false));
    boolean withNonIdempotent =
        policy(method, 1, listed.addNextUpstream(NextUpstream.NON_IDEMPOTENT))
            .statusReceived(status, false);
    assertEquals(status != 500 && status != 404, withNonIdempotent);
  }

  @Test
  void aRequestWhoseBodyLeftIsNeverSentAgainNorAStartedResponse() {
    ProxyAction.Builder listed =
        listing(NextUpstream.ERROR, NextUpstream.HTTP_502, NextUpstream.NON_IDEMPOTENT);
    assertFalse(policy("POST", 1, listed).statusReceived(502, true));
    assertFalse(policy("GET", 1, listed).requestFailed(UpstreamErrorKind.RESET, false, true));
  }

  @Test
  void triesAreTheRetryBudget() {
    RetryPolicy p = policy("GET", 1, listing(NextUpstream.HTTP_503));
    assertTrue(p.statusReceived(503, false));
    p.attempting(b);
    assertFalse(p.statusReceived(503, false), "the second endpoint's 503 goes to the client");
  }

  @Test
  void noAttemptStartsOnceTheTimeoutHasPassedSinceTheFirst() {
    ProxyAction.Builder p =
        listing(NextUpstream.ERROR, NextUpstream.TIMEOUT)
            .setNextUpstreamTimeout(Duration.newBuilder().setSeconds(2));
    RetryPolicy policy = policy("GET", 5, p);
    now.addAndGet(1_999_999_999L);
    assertTrue(policy.connectFailed(false));
    now.addAndGet(1);
    assertFalse(policy.connectFailed(false), "2 s since the first attempt began");
  }

  @Test
  void withoutNextUpstreamWharfKeepsItsOwnMethodRule() {
    RetryPolicy purge = policy("PURGE", 1, ProxyAction.newBuilder());
    assertFalse(purge.requestFailed(UpstreamErrorKind.RESET, false, false));
    assertFalse(purge.statusReceived(502, false), "no status retries by default");
  }
}
