package dev.wharf.bench.fleet;

import java.time.Duration;
import java.util.List;

/**
 * What one fleet run measured.
 *
 * @param nodes simulated nodes
 * @param nodesPerChannel nodes sharing one gRPC channel (one TCP connection)
 * @param store "file" (the embedded store) or "etcd"
 * @param routes routes in the pushed config
 * @param configBytes serialized size of the pushed config
 * @param connected time from the first node's connect to every node's ACK of the first version
 * @param warmupChanges changes made before the measured ones, not counted
 * @param changes the measured changes, in order
 * @param replica the replica's push-to-ACK timer over the measured changes
 * @param validateMeanMillis the replica's mean validation time per measured version
 * @param fanOutMeanMillis the replica's mean time per measured version to queue every push
 */
public record FleetResult(
    int nodes,
    int nodesPerChannel,
    String store,
    int routes,
    int configBytes,
    Duration connected,
    int warmupChanges,
    List<Change> changes,
    PushToAckView.Stats replica,
    double validateMeanMillis,
    double fanOutMeanMillis) {

  public FleetResult {
    changes = List.copyOf(changes);
  }

  /**
   * One measured change, times from the start of the store's commit call (nanoseconds).
   *
   * @param version the version the commit made
   * @param ackedNodes distinct nodes that ACKed it (every node, or the run fails)
   * @param duplicateAcks ACKs of it beyond one per node (the protocol allows none)
   * @param commitNanos until the commit call returned (durable in the store)
   * @param firstAckNanos until the first node sent its ACK
   * @param lastAckNanos until the last node sent its ACK: the headline figure
   * @param recordedNanos until the replica wrote the last node's new status (its fleet view)
   * @param timeline the stages in between, from the same start
   */
  public record Change(
      long version,
      int ackedNodes,
      int duplicateAcks,
      long commitNanos,
      long firstAckNanos,
      long lastAckNanos,
      long recordedNanos,
      VersionTimeline.Times timeline) {}

  Samples commit() {
    return new Samples(changes.stream().mapToLong(Change::commitNanos).toArray());
  }

  Samples firstAck() {
    return new Samples(changes.stream().mapToLong(Change::firstAckNanos).toArray());
  }

  Samples lastAck() {
    return new Samples(changes.stream().mapToLong(Change::lastAckNanos).toArray());
  }

  /** The first ({@code last} false) or last time each change reached {@code stage}. */
  Samples stage(VersionTimeline.Stage stage, boolean last) {
    return new Samples(
        changes.stream()
            .mapToLong(c -> last ? c.timeline().last(stage) : c.timeline().first(stage))
            .toArray());
  }

  /** The simulated nodes' parsing time per change, summed over the nodes. */
  Samples nodeParsing() {
    return new Samples(changes.stream().mapToLong(c -> c.timeline().nodeParseNanos()).toArray());
  }

  /** Status batches per change that carried its version. */
  Samples batches() {
    return new Samples(
        changes.stream().mapToLong(c -> c.timeline().batches() * 1_000_000L).toArray());
  }

  Samples recorded() {
    return new Samples(changes.stream().mapToLong(Change::recordedNanos).toArray());
  }
}
