package dev.wharf.bench.fleet;

import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.HistoryRecord;
import dev.wharf.controlplane.store.NodeStatusStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A store whose node-status writes are observed on their way in: the replica records each ACK there
 * (through its status writer, after its push-to-ACK timer), so the moment a status with the new
 * version is written is the moment the control plane's fleet view, the one {@code wharfctl} lists,
 * shows that node on it. Everything else passes straight through.
 *
 * <p>Threading: {@code onStatus} runs on the replica's status-writer thread, once the write
 * returned: a status counts as in the fleet view when the store has it, not when its write starts.
 *
 * <p>It also feeds the {@link VersionTimeline}: when the replica's config watch delivers a version
 * and when its publish returns; each status batch's write start and end, and when the replica
 * handled each ACK (the status's {@code updated_at}, stamped by the replica's clock when the ACK
 * arrived, turned into this JVM's nanoTime; the replica uses the system clock, microseconds here).
 */
final class ObservedStore implements ConfigStore {
  private final ConfigStore store;
  private final NodeStatusStore nodes;
  private final VersionTimeline timeline;

  ObservedStore(ConfigStore store, Consumer<NodeStatus> onStatus, VersionTimeline timeline) {
    this.store = store;
    this.timeline = timeline;
    long epochToNano = System.nanoTime() - currentEpochNanos();
    NodeStatusStore inner = store.nodes();
    this.nodes =
        new NodeStatusStore() {
          @Override
          public void put(NodeStatus status) throws StoreException {
            inner.put(status);
            onStatus.accept(status);
          }

          @Override
          public void putAll(List<NodeStatus> statuses) throws StoreException {
            long start = System.nanoTime();
            inner.putAll(statuses);
            long end = System.nanoTime();
            List<Long> versions = new ArrayList<>();
            for (NodeStatus status : statuses) {
              long v = status.getAckedVersion();
              if (v > 0 && SimulatedNode.indexOf(status.getNodeId()) >= 0) {
                versions.add(v);
                timeline.mark(
                    v,
                    VersionTimeline.Stage.REPLICA_ACKED,
                    epochNanos(status.getUpdatedAt()) + epochToNano);
              }
            }
            timeline.batch(versions, start, end);
            statuses.forEach(onStatus);
          }

          @Override
          public void remove(String nodeId) throws StoreException {
            inner.remove(nodeId);
          }

          @Override
          public List<NodeStatus> list() throws StoreException {
            return inner.list();
          }

          @Override
          public void requestDrain(String nodeId, String principal) throws StoreException {
            inner.requestDrain(nodeId, principal);
          }

          @Override
          public Subscription watchDrains(Consumer<String> listener) {
            return inner.watchDrains(listener);
          }
        };
  }

  @Override
  public VersionedConfig read() throws StoreException {
    return store.read();
  }

  @Override
  public long commit(long expectedVersion, Config config, String principal, String summary)
      throws StoreException {
    return store.commit(expectedVersion, config, principal, summary);
  }

  /**
   * The replica's discovery watch (the one whose listener is {@link ControlPlaneServer}'s) is
   * timed; its Admin API watch (another subscription, for {@code wharfctl watch}) is passed
   * through.
   */
  @Override
  public Subscription watch(Consumer<VersionedConfig> listener) {
    if (!listener.getClass().getName().startsWith(ControlPlaneServer.class.getName())) {
      return store.watch(listener);
    }
    return store.watch(
        config -> {
          timeline.mark(config.version(), VersionTimeline.Stage.WATCH_SEEN, System.nanoTime());
          listener.accept(config);
          timeline.mark(config.version(), VersionTimeline.Stage.PUBLISHED, System.nanoTime());
        });
  }

  private static long currentEpochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static long epochNanos(com.google.protobuf.Timestamp t) {
    return t.getSeconds() * 1_000_000_000L + t.getNanos();
  }

  @Override
  public List<HistoryRecord> history(int limit) throws StoreException {
    return store.history(limit);
  }

  @Override
  public Optional<VersionedConfig> version(long version) throws StoreException {
    return store.version(version);
  }

  @Override
  public NodeStatusStore nodes() {
    return nodes;
  }

  @Override
  public void close() {
    store.close();
  }
}
