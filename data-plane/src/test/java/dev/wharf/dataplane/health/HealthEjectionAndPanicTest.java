package dev.wharf.dataplane.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.RefusingPorts;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Passive ejection and panic through a real node: ejection times run on a mock ticker the test
 * advances, so nothing sleeps.
 */
@ExtendWith(NettyLeakExtension.class)
class HealthEjectionAndPanicTest {
  @RegisterExtension final RefusingPorts refusing = RefusingPorts.untilEachTestEnds();

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MockTicker ticker = Ticker.newMockTicker();
  private TestBackend one;
  private TestBackend two;
  private FlipBackend flip;
  private HealthTestNode node;

  @BeforeEach
  void start() throws Exception {
    one = TestBackend.start("one");
    two = TestBackend.start("two");
    flip = FlipBackend.start();
    node = new HealthTestNode(ticker);
  }

  @AfterEach
  void stop() {
    node.close();
    flip.close();
    two.close();
    one.close();
  }

  private void apply(String endpoints, String upstreamExtras) throws Exception {
    node.apply(
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: pool
            endpoints: [%s]
        %s
        routes:
          - name: all
            match: {path: {prefix: /}}
            proxy: {upstream: pool}
        """
            .formatted(node.port, endpoints, upstreamExtras.indent(4)));
  }

  /** Sends requests until {@code ejections} ejections were counted; at most {@code max}. */
  private int requestsUntilEjections(int ejections, int max) throws Exception {
    for (int i = 1; i <= max; i++) {
      node.get("/x");
      if (node.ejections("pool") >= ejections) {
        return i;
      }
    }
    throw new AssertionError("still " + node.ejections("pool") + " ejections after " + max);
  }

  private void assertAllOn(String backend, int requests) throws Exception {
    for (int i = 0; i < requests; i++) {
      assertEquals(backend, node.backendOf("/x"), "request " + i);
    }
  }

  private void awaitSomeRequestOn(String backend) {
    Await.until(
        WAIT,
        () -> {
          try {
            return node.backendOf("/x").equals(backend);
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        () -> "no request reached " + backend);
  }

  @Test
  void anEndpointAnswering5xxIsEjectedAndComesBackAfterADoublingEjectionTime() throws Exception {
    apply(
        "{address: \"%s\"}, {address: \"%s\"}".formatted(one.endpoint(), flip.endpoint()),
        "outlier_detection: {consecutive_failures: 3, base_ejection_time: 10s,"
            + " max_ejection_time: 1m}");
    flip.answer(502);
    requestsUntilEjections(1, 20);
    assertEquals(3, flip.answered(), "ejected at the third 502 in a row");
    assertEquals(0.0, node.healthy("pool", flip.endpoint()));
    assertAllOn("one", 10);

    flip.answer(200);
    ticker.advance(9, TimeUnit.SECONDS);
    assertAllOn("one", 5);
    ticker.advance(1, TimeUnit.SECONDS);
    assertEquals(1.0, node.healthy("pool", flip.endpoint()));
    awaitSomeRequestOn("flip");

    flip.answer(500);
    requestsUntilEjections(2, 20);
    ticker.advance(10, TimeUnit.SECONDS);
    assertAllOn("one", 5); // the second ejection lasts 20 s
    ticker.advance(10, TimeUnit.SECONDS);
    flip.answer(200);
    awaitSomeRequestOn("flip");
  }

  @Test
  void anEndpointRefusingConnectionsIsEjectedWhileClientsStillGetAnswers() throws Exception {
    int closed = refusing.port();
    String dead = "127.0.0.1:" + closed;
    apply(
        "{address: \"%s\"}, {address: \"%s\"}".formatted(one.endpoint(), dead),
        "outlier_detection: {consecutive_failures: 2}");
    for (int i = 0; i < 10 && node.ejections("pool") == 0; i++) {
      assertEquals("one", node.backendOf("/x"), "the connect is retried on one");
    }
    assertEquals(1.0, node.ejections("pool"));
    assertEquals(0.0, node.healthy("pool", dead));
    double refusals = node.refusals("pool", dead);
    assertAllOn("one", 6);
    assertEquals(refusals, node.refusals("pool", dead), "an ejected endpoint is not tried");

    ticker.advance(30, TimeUnit.SECONDS); // the default base ejection time
    assertEquals(1.0, node.healthy("pool", dead), "back after the ejection time");
    assertAllOn("one", 4);
    assertTrue(node.refusals("pool", dead) > refusals, "tried again once back");
  }

  @Test
  void noMoreThanMaxEjectionPercentIsEjectedAtOnce() throws Exception {
    String a = "127.0.0.1:" + refusing.port();
    String b = "127.0.0.1:" + refusing.port();
    apply(
        "{address: \"%s\"}, {address: \"%s\"}".formatted(a, b),
        "outlier_detection: {consecutive_failures: 1, max_ejection_percent: 50}");
    for (int i = 0; i < 6; i++) {
      assertEquals("status 502", node.backendOf("/x"));
    }
    assertEquals(1.0, node.ejections("pool"), "one of two, not both");
    assertEquals(1.0, node.healthy("pool", a) + node.healthy("pool", b));
  }

  @Test
  void whenEveryEndpointIsDownTrafficStillGoesToAllOfThemInPanic() throws Exception {
    apply(
        "{address: \"%s\"}, {address: \"%s\"}".formatted(one.endpoint(), two.endpoint()),
        "health_check: {interval: 200ms, timeout: 150ms, unhealthy_threshold: 1,"
            + " http: {path: /status/500}}");
    Await.until(
        WAIT,
        () ->
            node.healthy("pool", one.endpoint()) == 0 && node.healthy("pool", two.endpoint()) == 0,
        () -> "not both down yet");
    assertEquals(0.0, node.panic("pool"), "panic is entered by traffic, not by the checks");

    String first = node.backendOf("/x");
    String second = node.backendOf("/x");
    assertTrue(first.equals("one") || first.equals("two"), "not a 503: " + first);
    assertTrue(second.equals("one") || second.equals("two"), "not a 503: " + second);
    assertEquals(1.0, node.panic("pool"));
  }
}
