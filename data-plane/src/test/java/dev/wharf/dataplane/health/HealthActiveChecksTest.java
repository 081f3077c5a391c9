package dev.wharf.dataplane.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.RefusingPorts;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Active health checks through a real node against real backends: what the endpoint gauges say, and
 * where client requests land.
 */
@ExtendWith(NettyLeakExtension.class)
class HealthActiveChecksTest {
  @RegisterExtension final RefusingPorts refusing = RefusingPorts.untilEachTestEnds();

  private static final Duration WAIT = Duration.ofSeconds(10);

  private TestBackend one;
  private FlipBackend flip;
  private HealthTestNode node;

  @BeforeEach
  void start() throws Exception {
    one = TestBackend.start("one");
    flip = FlipBackend.start();
    node = new HealthTestNode(Ticker.systemTicker());
  }

  @AfterEach
  void stop() {
    node.close();
    flip.close();
    one.close();
  }

  private String config(String extraUpstreams) {
    return """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: pair
            endpoints: [{address: "%s"}, {address: "%s"}]
            health_check:
              interval: 200ms
              timeout: 150ms
              healthy_threshold: 2
              unhealthy_threshold: 3
              http: {path: /health}
        %s
        routes:
          - name: all
            match: {path: {prefix: /}}
            proxy: {upstream: pair}
        """
        .formatted(node.port, one.endpoint(), flip.endpoint(), extraUpstreams);
  }

  @Test
  void httpCheckTakesAnEndpointAnswering500OutAndBringsItBackAfterHealthyThreshold()
      throws Exception {
    node.apply(config(""));
    Await.until(WAIT, () -> flip.answered() >= 2, () -> "flip checked " + flip.answered());
    assertEquals(1.0, node.healthy("pair", flip.endpoint()), "starts healthy");

    flip.answer(500);
    Await.until(
        WAIT,
        () -> node.healthy("pair", flip.endpoint()) == 0,
        () -> "flip still healthy after " + flip.answered() + " checks");
    assertTrue(flip.answered() >= 3, "down only after 3 failed checks: " + flip.answered());
    assertEquals(1.0, node.healthy("pair", one.endpoint()));
    for (int i = 0; i < 20; i++) {
      assertEquals("one", node.backendOf("/x"), "request " + i);
    }

    flip.answer(200);
    Await.until(
        WAIT,
        () -> node.healthy("pair", flip.endpoint()) == 1,
        () -> "flip still unhealthy after " + flip.answered() + " checks");
    assertTrue(flip.answered() >= 2, "up only after 2 good checks: " + flip.answered());
    Await.until(
        WAIT,
        () -> {
          try {
            return node.backendOf("/x").equals("flip");
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        () -> "no request reached flip again");
  }

  @Test
  void aConfigChangeThatKeepsAnEndpointKeepsItsHealth() throws Exception {
    node.apply(config(""));
    flip.answer(500);
    Await.until(WAIT, () -> node.healthy("pair", flip.endpoint()) == 0, () -> "flip healthy");

    node.apply(
        config(
            """
          - name: other
            endpoints: [{address: "%s"}]
        """
                .formatted(one.endpoint())));
    assertEquals(0.0, node.healthy("pair", flip.endpoint()), "still down right after the swap");
    for (int i = 0; i < 10; i++) {
      assertEquals("one", node.backendOf("/x"), "request " + i);
    }
  }

  @Test
  void anEndpointThatLeavesTheConfigIsNoLongerCheckedAndReportsNoHealth() throws Exception {
    node.apply(config(""));
    Await.until(WAIT, () -> flip.answered() >= 1, () -> "flip never checked");

    node.apply(config("").replace(", {address: \"" + flip.endpoint() + "\"}", ""));
    flip.answer(200);
    double before = node.checks("pair", "success");
    Await.until(WAIT, () -> node.checks("pair", "success") >= before + 3, () -> "one not checked");
    assertTrue(flip.answered() <= 1, "at most the check in flight: " + flip.answered());
    assertTrue(Double.isNaN(node.healthy("pair", flip.endpoint())));
  }

  @Test
  void tcpCheckTakesAClosedPortOut() throws Exception {
    int closed = refusing.port();
    node.apply(
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: tcp
            endpoints: [{address: "%s"}, {address: "127.0.0.1:%d"}]
            health_check: {interval: 200ms, timeout: 150ms, unhealthy_threshold: 2, tcp: {}}
        routes:
          - name: all
            match: {path: {prefix: /}}
            proxy: {upstream: tcp}
        """
            .formatted(node.port, one.endpoint(), closed));
    Await.until(
        WAIT,
        () -> node.healthy("tcp", "127.0.0.1:" + closed) == 0,
        () -> "closed port still healthy; failures " + node.checks("tcp", "failure"));
    Await.until(WAIT, () -> node.checks("tcp", "success") >= 2, () -> "no good checks of one");
    assertEquals(1.0, node.healthy("tcp", one.endpoint()));
  }

  @Test
  void webSocketCheckWantsA101AndClosesWith1000() throws Exception {
    node.apply(
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: %1$d}
        upstreams:
          - name: echo
            endpoints: [{address: "%2$s"}]
            health_check: {interval: 200ms, timeout: 150ms, unhealthy_threshold: 2,
                           websocket: {path: /ws}}
          - name: rejecting
            endpoints: [{address: "%2$s"}]
            health_check: {interval: 200ms, timeout: 150ms, unhealthy_threshold: 2,
                           websocket: {path: /ws-reject}}
          - name: plain
            endpoints: [{address: "%3$s"}]
            health_check: {interval: 200ms, timeout: 150ms, unhealthy_threshold: 2,
                           websocket: {path: /ws}}
        routes:
          - name: all
            match: {path: {prefix: /}}
            proxy: {upstream: echo}
        """
            .formatted(node.port, one.endpoint(), flip.endpoint()));
    Await.until(
        WAIT, () -> node.healthy("rejecting", one.endpoint()) == 0, () -> "403 still healthy");
    Await.until(WAIT, () -> node.healthy("plain", flip.endpoint()) == 0, () -> "200 still healthy");
    Await.until(WAIT, () -> node.checks("echo", "success") >= 3, () -> "echo not checked");
    assertEquals(0.0, node.checks("echo", "failure"));
    assertEquals(1.0, node.healthy("echo", one.endpoint()));
    assertEquals(1000, one.takeWebSocketCloseCode(WAIT), "the check says goodbye properly");
    assertTrue(one.allClientFramesMasked());
  }
}
