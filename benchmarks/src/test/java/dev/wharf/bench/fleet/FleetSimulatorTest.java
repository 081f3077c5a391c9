package dev.wharf.bench.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fleet tool against a real replica on loopback, at a size a test can afford. */
class FleetSimulatorTest {
  @Test
  @Timeout(30)
  void fiveNodesAndThreeChangesGiveThreeMeasurementsEachAckedByEveryNode() throws Exception {
    // Two nodes per channel: three channels, one of them with a single node.
    FleetSimulator.Settings settings =
        new FleetSimulator.Settings(5, 3, 1, 2, 20, Duration.ofSeconds(10), List.of());
    ByteArrayOutputStream log = new ByteArrayOutputStream();

    FleetResult r =
        FleetSimulator.run(settings, new PrintStream(log, true, StandardCharsets.UTF_8));

    assertEquals(3, r.changes().size());
    long previous = -1;
    for (FleetResult.Change c : r.changes()) {
      assertEquals(5, c.ackedNodes(), () -> "version " + c.version() + ": " + c);
      assertEquals(0, c.duplicateAcks(), () -> "version " + c.version() + ": " + c);
      assertTrue(previous < 0 || c.version() == previous + 1, () -> "versions: " + r.changes());
      assertTrue(c.firstAckNanos() > 0 && c.firstAckNanos() <= c.lastAckNanos(), c::toString);
      // The replica records an ACK only after it arrived, so after the node sent it.
      assertTrue(c.lastAckNanos() <= c.recordedNanos(), c::toString);
      assertTimelineInOrder(c);
      previous = c.version();
    }
    // The replica's own timer saw exactly the measured pushes: 5 nodes times 3 changes.
    assertEquals(15, r.replica().count());
    assertTrue(r.replica().p50Millis() > 0 && r.replica().p50Millis() <= r.replica().p99Millis());
    assertEquals(1, r.warmupChanges());
    assertTrue(r.configBytes() > 0);
    assertTrue(
        log.toString(StandardCharsets.UTF_8).contains("5 nodes on 3 channels"), log::toString);
  }

  /**
   * A version passes the stages in order: the replica's watch, its publish, the nodes' receipt and
   * ACK, the replica's handling of the ACK, the status batch. Comparisons that span threads hold
   * because each stage happens after the one before it on any node (a node receives after the
   * replica queued its push, and so on); the replica's ACK time is its clock's, so to the
   * microsecond.
   */
  private static void assertTimelineInOrder(FleetResult.Change c) {
    VersionTimeline.Times t = c.timeline();
    long[] inOrder = {
      t.first(VersionTimeline.Stage.WATCH_SEEN),
      t.first(VersionTimeline.Stage.NODE_RECEIVED),
      t.first(VersionTimeline.Stage.ACK_SENT),
      t.last(VersionTimeline.Stage.ACK_SENT),
      t.last(VersionTimeline.Stage.BATCH_START),
      t.last(VersionTimeline.Stage.BATCH_END)
    };
    for (int i = 0; i < inOrder.length; i++) {
      int at = i;
      assertTrue(inOrder[i] >= 0, () -> "stage " + at + " never seen: " + c);
      assertTrue(i == 0 || inOrder[i - 1] <= inOrder[i], () -> "stage " + at + ": " + c);
    }
    assertEquals(c.lastAckNanos(), t.last(VersionTimeline.Stage.ACK_SENT), c::toString);
    assertTrue(t.last(VersionTimeline.Stage.BATCH_END) <= c.recordedNanos(), c::toString);
    assertTrue(t.batches() >= 1 && t.nodeParseNanos() > 0, c::toString);
    long replicaAcked = t.last(VersionTimeline.Stage.REPLICA_ACKED);
    // The replica's wall clock against this JVM's nanoTime: equal to within a millisecond or so.
    assertTrue(
        replicaAcked >= t.first(VersionTimeline.Stage.ACK_SENT) - 2_000_000
            && replicaAcked <= t.last(VersionTimeline.Stage.BATCH_START) + 2_000_000,
        c::toString);
  }

  @Test
  @Timeout(30)
  void theMarkdownJudgesTheHundredNodeTargetOnly() throws Exception {
    FleetResult r =
        FleetSimulator.run(
            new FleetSimulator.Settings(3, 2, 0, 50, 10, Duration.ofSeconds(10), List.of()),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

    String md = FleetMarkdown.fleet(List.of(r));

    assertTrue(md.contains("| 3 | 50 | file | 10 |"), md);
    assertTrue(md.contains("every node ACKed every measured version exactly once"), md);
    assertTrue(md.contains("| - | - |"), "no target is judged for 3 nodes: " + md);
    assertTrue(md.contains("| last status batch write returns (*fleet view*) |"), md);
  }
}
