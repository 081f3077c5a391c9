package dev.wharf.controlplane.store;

import dev.wharf.common.Backoff;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.watch.WatchEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link NodeStatusStore#watchDrains}: list the drain requests, deliver each, watch the prefix
 * from the listed revision + 1 and deliver each new request. Runs on its own thread, {@code
 * wharf-store-drains} (see {@link EtcdPrefixWatch} for threading and retries).
 *
 * <p>It remembers the requests it delivered that still stand, so a re-list (after compaction or an
 * outage) delivers only the requests made meanwhile, and a request made again after its node was
 * removed is delivered again. Deletions are never delivered.
 */
final class EtcdDrainWatch extends EtcdPrefixWatch {
  private static final Logger log = LoggerFactory.getLogger(EtcdDrainWatch.class);

  private final EtcdDrainRequests requests;
  private final EtcdKeys keys;
  private final Consumer<String> listener;
  private final Set<String> delivered = new HashSet<>(); // confined to the watch thread

  EtcdDrainWatch(
      EtcdDrainRequests requests,
      Watch watchClient,
      EtcdKeys keys,
      Consumer<String> listener,
      Backoff.Retries backoff,
      Duration callTimeout,
      Consumer<EtcdPrefixWatch> onClose) {
    super(
        watchClient,
        keys.drainsPrefix(),
        keys.describeDrainsPrefix(),
        "drain watch",
        "wharf-store-drains",
        backoff,
        callTimeout,
        onClose);
    this.requests = requests;
    this.keys = keys;
    this.listener = listener;
  }

  @Override
  long listAndDeliver() throws StoreException {
    EtcdDrainRequests.Listing listing = requests.list();
    delivered.retainAll(listing.nodeIds());
    for (String nodeId : listing.nodeIds()) {
      deliver(nodeId);
    }
    return listing.revision();
  }

  @Override
  void apply(List<WatchEvent> events) {
    for (WatchEvent event : events) {
      String nodeId = keys.drainedNode(event.getKeyValue().getKey());
      if (nodeId == null) {
        continue;
      }
      if (event.getEventType() == WatchEvent.EventType.PUT) {
        deliver(nodeId);
      } else {
        delivered.remove(nodeId);
      }
    }
  }

  @Override
  String kept() {
    return "the " + delivered.size() + " request(s) delivered stand";
  }

  private void deliver(String nodeId) {
    if (isClosed() || !delivered.add(nodeId)) {
      return;
    }
    try {
      listener.accept(nodeId);
    } catch (RuntimeException e) {
      log.error("a drain listener failed on node {}", nodeId, e);
    }
  }
}
