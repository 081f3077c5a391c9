package dev.wharf.controlplane.store;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ConfigStore#watch} listener behind its own thread ({@code wharf-store-watch}): versions
 * offered are delivered in the order offered, each once, never one older than the last, and a
 * failing listener does not stop later deliveries.
 */
final class SerialListener implements ConfigStore.Subscription {
  private static final Logger log = LoggerFactory.getLogger(SerialListener.class);

  private final Consumer<VersionedConfig> listener;
  private final Consumer<SerialListener> onClose;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread t = new Thread(runnable, "wharf-store-watch");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;
  private long delivered = -1; // confined to the thread

  SerialListener(Consumer<VersionedConfig> listener, Consumer<SerialListener> onClose) {
    this.listener = listener;
    this.onClose = onClose;
  }

  /** Queues {@code config} for delivery; returns at once. */
  void offer(VersionedConfig config) {
    try {
      thread.execute(() -> deliver(config));
    } catch (RejectedExecutionException closing) {
      // closed: nothing more to deliver
    }
  }

  private void deliver(VersionedConfig config) {
    if (closed || config.version() <= delivered) {
      return;
    }
    delivered = config.version();
    try {
      listener.accept(config);
    } catch (RuntimeException e) {
      log.error("a config listener failed on version {}", config.version(), e);
    }
  }

  /** Stops deliveries; a delivery in progress finishes, queued ones are dropped. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      onClose.accept(this);
      thread.shutdown();
    }
  }
}
