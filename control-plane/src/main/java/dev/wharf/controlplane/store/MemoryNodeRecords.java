package dev.wharf.controlplane.store;

import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node records of a store that serves one replica, in memory: gone with the process, as the node
 * statuses are. Retry requests are delivered to the watches on the caller's thread (the one replica
 * holds every stream). Thread-safe.
 */
final class MemoryNodeRecords implements NodeRecords {
  private static final Logger log = LoggerFactory.getLogger(MemoryNodeRecords.class);

  private final ConcurrentSkipListMap<String, NodeStatus> records = new ConcurrentSkipListMap<>();
  private final Set<BiConsumer<String, Long>> retryWatches = new CopyOnWriteArraySet<>();

  @Override
  public void write(List<NodeStatus> statuses) {
    statuses.forEach(s -> records.put(s.getNodeId(), s));
  }

  @Override
  public List<NodeStatus> list() {
    return List.copyOf(records.values());
  }

  @Override
  public void forget(List<String> nodeIds) {
    nodeIds.forEach(records::remove);
  }

  @Override
  public void prune(List<NodeStatus> stale) {
    stale.forEach(s -> records.remove(s.getNodeId(), s));
  }

  @Override
  public void requestRetry(List<String> nodeIds, long version) {
    for (String nodeId : nodeIds) {
      for (BiConsumer<String, Long> watch : retryWatches) {
        try {
          watch.accept(nodeId, version);
        } catch (RuntimeException e) {
          log.error("a retry listener failed on node {}", nodeId, e);
        }
      }
    }
  }

  @Override
  public ConfigStore.Subscription watchRetries(BiConsumer<String, Long> listener) {
    BiConsumer<String, Long> watch = Objects.requireNonNull(listener, "listener");
    retryWatches.add(watch);
    return () -> retryWatches.remove(watch);
  }
}
