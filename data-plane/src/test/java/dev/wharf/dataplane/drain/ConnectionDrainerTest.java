package dev.wharf.dataplane.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The drainer with time in the test's hands: which connections it closes, when, and which it leaves
 * alone. A fake scheduler runs a close when the mock ticker reaches its time.
 */
class ConnectionDrainerTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private static final String CONFIG =
      """
      upstreams:
        - name: chat
          endpoints: [{address: "10.0.0.1:80"}, {address: "10.0.0.2:80"}]
          drain: {timeout: 3s, spread: 2s, max_closes_per_second: 25}
      routes:
        - name: ws
          match: {path: {prefix: /ws}}
          proxy: {upstream: chat}
        - name: api
          match: {path: {prefix: /api}}
          respond: {body: ok}
      """;

  private final MockTicker ticker = Ticker.newMockTicker();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ProxyMetrics metrics = new ProxyMetrics(registry);
  private final List<Timer> timers = new ArrayList<>();
  private final Set<String> unhealthy = new HashSet<>();
  private final ConnectionDrainer drainer =
      new ConnectionDrainer(
          ticker,
          metrics.drainMeters(
              Arrays.stream(DrainReason.values()).map(DrainReason::tag).toList(), () -> 0),
          Runnable::run,
          this::schedule);

  /** A close the drainer booked, run by {@link #advance}. */
  private record Timer(long at, FutureTask<?> task) {}

  private Future<?> schedule(Drainable c, Runnable task, long delayNanos) {
    FutureTask<?> t = new FutureTask<>(task, null);
    timers.add(new Timer(ticker.nanoTime() + delayNanos, t));
    return t;
  }

  /** Moves time forward to {@code nanos} after the start, running what fell due in order. */
  private void advanceTo(long nanos) {
    while (true) {
      Timer next = timers.stream().min((a, b) -> Long.compare(a.at(), b.at())).orElse(null);
      if (next == null || next.at() > nanos) {
        break;
      }
      timers.remove(next);
      ticker.advance(Math.max(0, next.at() - ticker.nanoTime()), TimeUnit.NANOSECONDS);
      next.task().run();
    }
    ticker.advance(Math.max(0, nanos - ticker.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Moves time forward without running the timers that fall due (a busy event loop). */
  private void stall(long nanos) {
    ticker.advance(nanos, TimeUnit.NANOSECONDS);
  }

  /** A connection that records when it was told to go away. */
  private final class Connection implements Drainable {
    final Placement placement;
    long goneAwayAt = -1;

    Connection(String route, String endpoint) {
      this.placement = new Placement(route, "chat", endpoint, DrainSettings.DEFAULT);
      drainer.opened(this);
    }

    @Override
    public Placement placement() {
      return placement;
    }

    @Override
    public EventExecutor executor() {
      return ImmediateEventExecutor.INSTANCE;
    }

    @Override
    public void goAway() {
      goneAwayAt = ticker.nanoTime();
      drainer.closed(this);
    }
  }

  private void apply(String yaml) throws Exception {
    drainer.viewChanged(
        CompiledViews.of(
            ConfigDocuments.load(yaml, "test.yaml"),
            (upstream, address) -> !unhealthy.contains(address)));
  }

  private List<Connection> open(int n, String endpoint) {
    List<Connection> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Connection("ws", endpoint));
    }
    return out;
  }

  private double closes(String reason) {
    return registry.get("wharf.drain.closes").tag("reason", reason).counter().count();
  }

  @Test
  void changesThatDoNotTouchAConnectionNeverCloseIt() throws Exception {
    apply(CONFIG);
    List<Connection> all = open(50, "10.0.0.1:80");
    for (int i = 0; i < 100; i++) {
      apply(CONFIG.replace("body: ok", "body: ok-" + i));
    }
    advanceTo(3600 * SECOND);
    assertTrue(all.stream().allMatch(c -> c.goneAwayAt < 0));
    assertEquals(0, drainer.pending());
    assertEquals(50, drainer.open());
  }

  @Test
  void removingAnEndpointClosesItsConnectionsAfterTheTimeoutSpreadAndCapped() throws Exception {
    apply(CONFIG);
    List<Connection> onRemoved = open(100, "10.0.0.1:80");
    List<Connection> onKept = open(30, "10.0.0.2:80");

    apply(CONFIG.replace("{address: \"10.0.0.1:80\"}, ", ""));
    assertEquals(100, drainer.pending());

    advanceTo(3 * SECOND - 1);
    assertTrue(onRemoved.stream().allMatch(c -> c.goneAwayAt < 0), "nothing before the timeout");
    advanceTo(60 * SECOND);
    long[] times = onRemoved.stream().mapToLong(c -> c.goneAwayAt).sorted().toArray();
    assertEquals(3 * SECOND, times[0]);
    for (int i = 1; i < times.length; i++) {
      assertEquals(
          SECOND / 25,
          times[i] - times[i - 1],
          "100 closes over a 2 s window would be 20 ms apart; the cap of 25/s makes it 40 ms");
    }
    assertTrue(onKept.stream().allMatch(c -> c.goneAwayAt < 0), "other endpoints untouched");
    assertEquals(100, closes("endpoint_removed"));
    assertEquals(0, drainer.pending());
  }

  @Test
  void closesWhoseTimersFireLateTogetherStillGoOutNoFasterThanTheCap() throws Exception {
    apply(CONFIG);
    List<Connection> conns = open(20, "10.0.0.1:80");
    apply(CONFIG.replace("{address: \"10.0.0.1:80\"}, ", ""));
    stall(3 * SECOND + SECOND / 2); // the loop was busy: a dozen closes are overdue at once
    advanceTo(60 * SECOND);
    long[] times = conns.stream().mapToLong(c -> c.goneAwayAt).sorted().toArray();
    assertEquals(3 * SECOND + SECOND / 2, times[0]);
    for (int i = 1; i < times.length; i++) {
      assertTrue(
          times[i] - times[i - 1] >= SECOND / 25,
          "close " + i + " came " + (times[i] - times[i - 1]) + " ns after the one before");
    }
  }

  @Test
  void underTheCapClosesFollowTheSpreadWindow() throws Exception {
    apply(CONFIG);
    List<Connection> conns = open(10, "10.0.0.1:80");
    apply(CONFIG.replace("{address: \"10.0.0.1:80\"}, ", ""));
    advanceTo(60 * SECOND);
    long[] times = conns.stream().mapToLong(c -> c.goneAwayAt).sorted().toArray();
    for (int i = 0; i < times.length; i++) {
      assertEquals(3 * SECOND + i * (2 * SECOND / 10), times[i], "close " + i);
    }
  }

  @Test
  void anEndpointThatComesBackBeforeTheTimeoutKeepsItsConnections() throws Exception {
    apply(CONFIG);
    List<Connection> conns = open(20, "10.0.0.1:80");
    apply(CONFIG.replace("{address: \"10.0.0.1:80\"}, ", ""));
    advanceTo(SECOND);
    apply(CONFIG);
    assertEquals(0, drainer.pending(), "cancelled by the change that restored it");
    advanceTo(60 * SECOND);
    assertTrue(conns.stream().allMatch(c -> c.goneAwayAt < 0));
  }

  @Test
  void anUnhealthyEndpointsConnectionsCloseAndARecoveryInTimeSavesTheRest() throws Exception {
    apply(CONFIG);
    List<Connection> conns = open(100, "10.0.0.1:80");
    unhealthy.add("10.0.0.1:80");
    drainer.healthChanged();
    advanceTo(3 * SECOND + SECOND / 2); // about a dozen closed so far
    unhealthy.clear(); // healthy again; the rest are judged again when due
    advanceTo(60 * SECOND);
    long closed = conns.stream().filter(c -> c.goneAwayAt >= 0).count();
    assertEquals(13, closed, "closes at 3.00 s, 3.04 s ... 3.48 s, then none");
    assertEquals(13, closes("endpoint_unhealthy"));
  }

  @Test
  void keepPolicyLeavesAffectedConnectionsOpen() throws Exception {
    String keep =
        CONFIG.replace(
            "drain: {timeout: 3s, spread: 2s, max_closes_per_second: 25}", "drain: {mode: keep}");
    apply(keep);
    List<Connection> conns = open(10, "10.0.0.1:80");
    apply(keep.replace("{address: \"10.0.0.1:80\"}, ", ""));
    advanceTo(3600 * SECOND);
    assertTrue(conns.stream().allMatch(c -> c.goneAwayAt < 0));
    assertEquals(0, drainer.pending());
  }

  @Test
  void aConnectionThatEndsOnItsOwnIsForgottenWithItsClose() throws Exception {
    apply(CONFIG);
    List<Connection> conns = open(5, "10.0.0.1:80");
    apply(CONFIG.replace("{address: \"10.0.0.1:80\"}, ", ""));
    conns.forEach(drainer::closed);
    assertEquals(0, drainer.pending());
    assertEquals(0, drainer.open());
    advanceTo(60 * SECOND);
    assertTrue(conns.stream().allMatch(c -> c.goneAwayAt < 0));
    assertEquals(0, closes("endpoint_removed"));
  }

  @Test
  void aNodeDrainClosesEveryWebSocketSpreadAndCappedWithinItsWindow() throws Exception {
    apply(CONFIG);
    List<Connection> conns = open(100, "10.0.0.1:80");
    drainer.drainAll(ticker.nanoTime() + 4 * SECOND);
    advanceTo(60 * SECOND);
    long[] times = conns.stream().mapToLong(c -> c.goneAwayAt).sorted().toArray();
    assertEquals(0, times[0], "the first goes at once: there is no timeout in a node drain");
    for (int i = 1; i < times.length; i++) {
      assertEquals(SECOND / 25, times[i] - times[i - 1], "spread 2 s, but the cap of 25/s");
    }
    assertTrue(times[99] < 4 * SECOND, "all within the window: " + times[99]);
    assertEquals(100, closes("node_drain"));
  }

  @Test
  void theNodeDrainsDeadlineWinsOverTheCapAndOverKeep() throws Exception {
    String keep =
        CONFIG.replace(
            "drain: {timeout: 3s, spread: 2s, max_closes_per_second: 25}", "drain: {mode: keep}");
    apply(keep);
    List<Connection> conns = open(1000, "10.0.0.1:80");
    drainer.drainAll(ticker.nanoTime() + 2 * SECOND);
    apply(keep); // a config change during the drain does not cancel its closes
    advanceTo(60 * SECOND);
    assertTrue(
        conns.stream().allMatch(c -> c.goneAwayAt >= 0 && c.goneAwayAt < 2 * SECOND),
        "1,000 closes at the default 100/s would take 10 s; the window is 2 s");
    assertEquals(1000, closes("node_drain"));
  }

  @Test
  void aConnectionOpenedOnAStaleSnapshotIsJudgedWhenItOpens() throws Exception {
    apply(CONFIG.replace("{address: \"10.0.0.1:80\"}, ", ""));
    Connection late = new Connection("ws", "10.0.0.1:80"); // placed by the old snapshot
    assertEquals(1, drainer.pending());
    advanceTo(60 * SECOND);
    assertEquals(3 * SECOND, late.goneAwayAt);
  }
}
