package dev.wharf.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.metrics.UpstreamErrorKind;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** nginx's {@code proxy_next_upstream error timeout}, decided without a channel in sight. */
class RetryPolicyTest {
  private final UpstreamEndpoint a = endpoint("10.0.0.1:80");
  private final UpstreamEndpoint b = endpoint("10.0.0.2:80");
  private final UpstreamEndpoint c = endpoint("10.0.0.3:80");

  /** The policy only compares endpoints: no counters needed. */
  private static UpstreamEndpoint endpoint(String address) {
    return new UpstreamEndpoint(
        "backend",
        address,
        InetSocketAddress.createUnresolved(address.substring(0, address.indexOf(':')), 80),
        1,
        null);
  }

  @ParameterizedTest(name = "{0} after {1}, body forwarded {2}, answer started {3}: retry {4}")
  @CsvSource({
    "GET,     RESET,        false, false, true",
    "HEAD,    READ_TIMEOUT, false, false, true",
    "PUT,     SEND_TIMEOUT, false, false, true",
    "DELETE,  BAD_RESPONSE, false, false, true",
    "OPTIONS, RESET,        false, false, true",
    "POST,    RESET,        false, false, false",
    "PATCH,   READ_TIMEOUT, false, false, false",
    "PUT,     RESET,        true,  false, false",
    "GET,     RESET,        false, true,  false",
  })
  void aRequestThatLeftIsRetriedOnlyWhenIdempotentAndNothingOfItIsLost(
      String method,
      UpstreamErrorKind kind,
      boolean bodyForwarded,
      boolean answerStarted,
      boolean retried) {
    RetryPolicy policy = new RetryPolicy(HttpMethod.valueOf(method), 1);
    policy.attempting(a);

    assertEquals(retried, policy.requestFailed(kind, bodyForwarded, answerStarted));
  }

  @Test
  void aFailedConnectIsRetriedWhateverTheMethodWithinTheBudget() {
    RetryPolicy policy = new RetryPolicy(HttpMethod.POST, 2);
    policy.attempting(a);
    assertTrue(policy.connectFailed(false));
    policy.attempting(b);
    assertTrue(policy.connectFailed(false));
    policy.attempting(c);

    assertFalse(policy.connectFailed(false), "connect_retries 2: three endpoints in all");
    assertEquals(List.of(a, b, c), policy.tried());
  }

  @Test
  void connectAndRequestFailuresShareOneBudget() {
    RetryPolicy policy = new RetryPolicy(HttpMethod.GET, 1);
    policy.attempting(a);
    assertTrue(policy.connectFailed(false));
    policy.attempting(b);

    assertFalse(policy.requestFailed(UpstreamErrorKind.RESET, false, false));
  }

  @Test
  void zeroRetriesMeansOneEndpoint() {
    RetryPolicy policy = new RetryPolicy(HttpMethod.GET, 0);
    policy.attempting(a);

    assertFalse(policy.connectFailed(false));
  }

  @Test
  void theClientIsAnsweredWithTheLastFailure() {
    RetryPolicy policy = new RetryPolicy(HttpMethod.GET, 1);
    policy.attempting(a);
    policy.connectFailed(true);
    assertEquals(HttpResponseStatus.GATEWAY_TIMEOUT, policy.exhausted(), "connect timeout");
    policy.attempting(b);
    policy.requestFailed(UpstreamErrorKind.RESET, false, false);
    assertEquals(HttpResponseStatus.BAD_GATEWAY, policy.exhausted(), "then a reset");

    RetryPolicy slow = new RetryPolicy(HttpMethod.GET, 0);
    slow.attempting(a);
    slow.requestFailed(UpstreamErrorKind.READ_TIMEOUT, false, false);
    assertEquals(HttpResponseStatus.GATEWAY_TIMEOUT, slow.exhausted());
  }

  @Test
  void anUpstreamWithNothingToTryIsAnswered503() {
    RetryPolicy policy = new RetryPolicy(HttpMethod.GET, 1);

    assertTrue(policy.nothingTried());
    assertEquals(HttpResponseStatus.SERVICE_UNAVAILABLE, policy.exhausted());
  }

  @Test
  void aStalePooledConnectionIsRetriedOnceOnTheSameEndpointOutsideTheBudget() {
    RetryPolicy policy = new RetryPolicy(HttpMethod.GET, 0);
    policy.attempting(a);

    assertTrue(policy.retryStale(a, 2, false, false));
    assertEquals(List.of(), policy.tried(), "the endpoint may be picked again");
    policy.attempting(a);
    assertFalse(policy.retryStale(a, 2, false, false), "only once per request");
  }

  @ParameterizedTest(name = "{0} on request {1} of its connection, body {2}, answer {3}")
  @CsvSource({
    "GET,  1, false, false", // a fresh connection: the endpoint did fail
    "POST, 5, false, false",
    "GET,  5, true,  false",
    "GET,  5, false, true",
  })
  void noStaleRetryUnlessAPooledConnectionFailedAReplayableRequest(
      String method, int requests, boolean bodyForwarded, boolean answerStarted) {
    RetryPolicy policy = new RetryPolicy(HttpMethod.valueOf(method), 1);
    policy.attempting(a);

    assertFalse(policy.retryStale(a, requests, bodyForwarded, answerStarted));
    assertEquals(List.of(a), policy.tried());
  }
}
