package dev.wharf.controlplane.store;

import com.google.protobuf.ByteString;
import dev.wharf.proto.store.v1.Commit;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ConfigStore#watch}: list the config prefix, deliver, watch it from the listed
 * revision + 1, and deliver again whenever a revision rewrote the commit key.
 *
 * <p>All state is confined to one thread, {@code wharf-store-watch}; jetcd callbacks (on gRPC and
 * Vert.x threads) only enqueue work on it, tagged with the generation of the etcd watcher they
 * came from so a replaced watcher's late events are dropped.
 *
 * <p>etcd sends all events of one revision in one response, and a commit is one revision, so a
 * delivery always holds a whole commit. After compaction the watch lists again and delivers the
 * latest version; after any other failure it stays quiet (the last delivered version stays
 * valid), lists and watches again with backoff, and logs once per outage.
 */
final class EtcdConfigWatch implements ConfigStore.Subscription {
  private static final Logger log = LoggerFactory.getLogger(EtcdConfigWatch.class);

  private final EtcdConfigStore store;
  private final Watch watchClient;
  private final EtcdKeys keys;
  private final Consumer<VersionedConfig> listener;
  private final Backoff backoff;
  private final Consumer<EtcdConfigWatch> onClose;
  private final Duration callTimeout;
  private final ScheduledThreadPoolExecutor thread;
  private volatile Thread owner;
  private volatile boolean closed;

  // Confined to the watch thread.
  private final Map<String, ByteString> values = new HashMap<>();
  private Commit commit = Commit.getDefaultInstance();
  private long delivered = -1;
  private volatile Watch.Watcher watcher;
  private long generation;
  private boolean unreachable;

  EtcdConfigWatch(EtcdConfigStore store, Watch watchClient, EtcdKeys keys,
      Consumer<VersionedConfig> listener, Backoff backoff, Duration callTimeout,
      Consumer<EtcdConfigWatch> onClose) {
    this.store = store;
    this.watchClient = watchClient;
    this.keys = keys;
    this.listener = listener;
    this.backoff = backoff;
    this.callTimeout = callTimeout;
    this.onClose = onClose;
    this.thread = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread t = new Thread(runnable, "wharf-store-watch");
      t.setDaemon(true);
      owner = t;
      return t;
    });
    this.thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  void start() {
    execute(this::listAndWatch);
  }

  void startAt(long revision) {
    execute(() -> watchFrom(revision));
  }

  private void listAndWatch() {
    if (closed) {
      return;
    }
    EtcdListing listing;
    try {
      listing = store.list();
      values.clear();
      values.putAll(listing.values());
      commit = listing.commit();
      deliver(listing.version());
    } catch (StoreException e) {
      failed("listing " + keys.describeConfigPrefix(), e);
      return;
    }
    watchFrom(listing.revision() + 1);
  }

  private void watchFrom(long revision) {
    stopWatcher();
    if (closed) {
      return;
    }
    long current = generation;
    WatchOption option = WatchOption.builder()
        .isPrefix(true)
        .withRevision(revision)
        .withCreateNotify(true)
        .withProgressNotify(true)
        .withRequireLeader(true)
        .build();
    try {
      watcher = watchClient.watch(keys.configPrefix(), option, Watch.listener(
          response -> execute(() -> onResponse(current, response)),
          error -> execute(() -> onError(current, error)),
          () -> execute(() -> onCompleted(current))));
    } catch (RuntimeException e) {
      failed("watching " + keys.describeConfigPrefix(), e);
    }
  }

  private void onResponse(long from, WatchResponse response) {
    if (from != generation || closed) {
      return;
    }
    if (response.isCreatedNotify()) {
      recovered();
      return;
    }
    try {
      apply(response.getEvents());
    } catch (StoreException e) {
      failed("reading a change under " + keys.describeConfigPrefix(), e);
    }
  }

  /** Applies events revision by revision, delivering after each revision that committed. */
  private void apply(List<WatchEvent> events) throws StoreException {
    long committed = 0;
    for (WatchEvent event : events) {
      KeyValue kv = event.getKeyValue();
      if (committed != 0 && kv.getModRevision() != committed) {
        deliver(committed);
        committed = 0;
      }
      String key = keys.relativeToConfig(kv.getKey());
      if (key == null) {
        continue;
      }
      boolean put = event.getEventType() == WatchEvent.EventType.PUT;
      if (key.equals(EtcdKeys.COMMIT)) {
        if (put) {
          commit = EtcdListing.parseCommit(kv, keys);
          committed = kv.getModRevision();
        } else {
          log.warn("{}{} was deleted outside Wharf; watchers keep version {}",
              keys.describeConfigPrefix(), EtcdKeys.COMMIT, delivered);
        }
      } else if (put) {
        values.put(key, ByteString.copyFrom(kv.getValue().getBytes()));
      } else {
        values.remove(key);
      }
    }
    if (committed != 0) {
      deliver(committed);
    }
  }

  private void deliver(long version) throws StoreException {
    if (version <= delivered) {
      return;
    }
    VersionedConfig config = version == 0 && values.isEmpty()
        ? VersionedConfig.EMPTY
        : new VersionedConfig(version,
            ConfigObjects.decode(values, commit.getRouteOrderList()).toConfig(),
            VersionedConfig.instant(commit.getCommittedAt()));
    delivered = version;
    try {
      listener.accept(config);
    } catch (RuntimeException e) {
      log.error("a config listener failed on version {}", version, e);
    }
  }

  private void onError(long from, Throwable error) {
    if (from != generation || closed) {
      return;
    }
    stopWatcher();
    if (error instanceof CompactedException compacted) {
      log.info("the config watch fell behind etcd's compaction at revision {}; listing again",
          compacted.getCompactedRevision());
      listAndWatch();
    } else {
      failed("watching " + keys.describeConfigPrefix(), error);
    }
  }

  private void onCompleted(long from) {
    if (from != generation || closed) {
      return;
    }
    stopWatcher();
    failed("watching " + keys.describeConfigPrefix(), new IllegalStateException("watch ended"));
  }

  private void failed(String what, Throwable error) {
    stopWatcher();
    if (closed) {
      return;
    }
    Duration pause = backoff.next();
    if (!unreachable) {
      unreachable = true;
      log.warn("config watch: {} failed ({}); watchers keep version {}, retrying with backoff",
          what, error.getMessage(), delivered);
    } else {
      log.debug("config watch: {} failed again ({}); next try in {} ms",
          what, error.getMessage(), pause.toMillis());
    }
    try {
      thread.schedule(guarded(this::listAndWatch), pause.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private void recovered() {
    backoff.reset();
    if (unreachable) {
      unreachable = false;
      log.info("config watch: etcd answers again; watching {} at version {}",
          keys.describeConfigPrefix(), delivered);
    }
  }

  private void stopWatcher() {
    generation++;
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
  }

  private void execute(Runnable task) {
    try {
      thread.execute(guarded(task));
    } catch (RejectedExecutionException closing) {
      // closed: late callbacks have nowhere to go, and need none
    }
  }

  /**
   * The executor would keep a task's exception to itself and the watch would silently stop:
   * an unexpected failure is handled like an outage instead.
   */
  private Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        failed("the config watch", e);
      }
    };
  }

  /**
   * Stops deliveries. From another thread it interrupts an etcd call in flight and waits (one
   * call timeout at most) for the watch thread to end, so no delivery follows it; from the
   * listener itself it returns at once.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    onClose.accept(this);
    if (Thread.currentThread() == owner) {
      stopWatcher();
      thread.shutdown();
      return;
    }
    thread.shutdownNow();
    try {
      thread.awaitTermination(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // The thread is gone (or stuck past its deadline): closing its watcher is ours to do now.
    Watch.Watcher last = watcher;
    if (last != null) {
      last.close();
    }
  }
}
