package dev.wharf.controlplane.admin;

import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.admin.v1.ConfigVersionEvent;
import dev.wharf.proto.admin.v1.NodeEvent;
import dev.wharf.proto.admin.v1.WatchEvent;
import dev.wharf.proto.admin.v1.WatchRequest;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One client's {@code Watch} stream, with backpressure: events are sent only while the transport
 * {@link ServerCallStreamObserver#isReady() is ready}; what comes meanwhile is coalesced, the
 * latest config version replacing an unsent older one and each node's latest status replacing its
 * unsent older one. Config versions are sent in increasing order; a version not newer than the last
 * sent is dropped.
 *
 * <p>Threading: {@link #offer} from any thread; sends are serialized by this object's lock, and
 * gRPC's {@code onNext} never blocks.
 */
final class WatchStream {
  private final ServerCallStreamObserver<WatchEvent> observer;
  private final WatchRequest request;
  private final Consumer<WatchStream> onEnd;

  // Guarded by this.
  private VersionedConfig pendingConfig;
  private long sentVersion = -1;
  private final Map<String, NodeEvent> pendingNodes = new LinkedHashMap<>();
  private boolean ended;

  WatchStream(
      ServerCallStreamObserver<WatchEvent> observer,
      WatchRequest request,
      Consumer<WatchStream> onEnd) {
    this.observer = observer;
    this.request = request;
    this.onEnd = onEnd;
    observer.setOnCancelHandler(this::cancelled);
    observer.setOnReadyHandler(this::drain);
  }

  boolean wantsNodes() {
    return request.getNodes();
  }

  void offer(VersionedConfig config) {
    synchronized (this) {
      if (ended || config.version() <= sentVersion) {
        return;
      }
      if (pendingConfig == null || config.version() > pendingConfig.version()) {
        pendingConfig = config;
      }
    }
    drain();
  }

  void offer(NodeEvent event) {
    if (!request.getNodes()) {
      return;
    }
    synchronized (this) {
      if (ended) {
        return;
      }
      // Re-inserting moves the node to the end: events go out in the order of their last change.
      pendingNodes.remove(event.getStatus().getNodeId());
      pendingNodes.put(event.getStatus().getNodeId(), event);
    }
    drain();
  }

  private synchronized void drain() {
    while (!ended && observer.isReady()) {
      WatchEvent next;
      if (pendingConfig != null) {
        ConfigVersionEvent.Builder c =
            ConfigVersionEvent.newBuilder().setVersion(pendingConfig.version());
        if (request.getIncludeConfig()) {
          c.setConfig(pendingConfig.config());
        }
        sentVersion = pendingConfig.version();
        pendingConfig = null;
        next = WatchEvent.newBuilder().setConfig(c).build();
      } else if (!pendingNodes.isEmpty()) {
        Iterator<NodeEvent> it = pendingNodes.values().iterator();
        next = WatchEvent.newBuilder().setNode(it.next()).build();
        it.remove();
      } else {
        return;
      }
      observer.onNext(next);
    }
  }

  /** Ends the stream with {@code error} (the replica shuts down). */
  void end(RuntimeException error) {
    synchronized (this) {
      if (ended) {
        return;
      }
      ended = true;
      try {
        observer.onError(error); // under the lock: never beside an onNext of drain()
      } catch (IllegalStateException alreadyClosed) {
        // The client cancelled at the same moment.
      }
    }
    onEnd.accept(this);
  }

  private void cancelled() {
    synchronized (this) {
      ended = true;
      pendingConfig = null;
      pendingNodes.clear();
    }
    onEnd.accept(this);
  }
}
