package dev.wharf.controlplane.store;

import dev.wharf.common.Backoff;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * List a prefix, deliver, watch it from the listed revision + 1, and apply each response: the loop
 * every store watch runs, as jetcd's own watch does. Subclasses say what a listing and an event
 * mean.
 *
 * <p>All state is confined to one thread of the watch's own; jetcd callbacks (on gRPC and Vert.x
 * threads) only enqueue work on it, tagged with the generation of the etcd watcher they came from
 * so a replaced watcher's late events are dropped. After compaction the watch lists again; after
 * any other failure it stays quiet, lists and watches again with backoff, and logs once per outage.
 */
abstract class EtcdPrefixWatch implements ConfigStore.Subscription {
  private final Logger log = LoggerFactory.getLogger(getClass());

  private final Watch watchClient;
  private final ByteSequence prefix;
  private final String describedPrefix;
  private final String name;
  private final Backoff.Retries backoff;
  private final Duration callTimeout;
  private final Consumer<EtcdPrefixWatch> onClose;
  private final ScheduledThreadPoolExecutor thread;
  private volatile Thread owner;
  private volatile boolean closed;

  /** etcd confirmed the watch and no failure came since: read from any thread (a gauge). */
  private volatile boolean established;

  // Confined to the watch thread.
  private volatile Watch.Watcher watcher;
  private long generation;
  private boolean unreachable;

  /**
   * @param name what the log lines call this watch ("config watch")
   * @param threadName the name of the watch's thread
   * @param onClose told once, when the watch is closed
   */
  EtcdPrefixWatch(
      Watch watchClient,
      ByteSequence prefix,
      String describedPrefix,
      String name,
      String threadName,
      Backoff.Retries backoff,
      Duration callTimeout,
      Consumer<EtcdPrefixWatch> onClose) {
    this.watchClient = watchClient;
    this.prefix = prefix;
    this.describedPrefix = describedPrefix;
    this.name = name;
    this.backoff = backoff;
    this.callTimeout = callTimeout;
    this.onClose = onClose;
    this.thread =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread t = new Thread(runnable, threadName);
              t.setDaemon(true);
              owner = t;
              return t;
            });
    this.thread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Reads the whole prefix now, delivers what the listener should hear of it, and returns the
   * revision the read saw. On the watch thread.
   */
  abstract long listAndDeliver() throws StoreException;

  /** Applies the events of one watch response, in order. On the watch thread. */
  abstract void apply(List<WatchEvent> events) throws StoreException;

  /** What listeners keep while etcd is unreachable, for the log ("watchers keep version 3"). */
  abstract String kept();

  final void start() {
    execute(this::listAndWatch);
  }

  /** Watches from {@code revision} without listing first (see the config store's test hook). */
  final void startAt(long revision) {
    execute(() -> watchFrom(revision));
  }

  final boolean isClosed() {
    return closed;
  }

  /**
   * Whether etcd confirmed this watch and nothing has failed since: false before the first
   * confirmation, while etcd (or its quorum: the watch requires a leader) is unreachable, and after
   * {@link #close()}. Any thread.
   */
  final boolean isEstablished() {
    return established && !closed;
  }

  private void listAndWatch() {
    if (closed) {
      return;
    }
    long revision;
    try {
      revision = listAndDeliver();
    } catch (StoreException e) {
      failed("listing " + describedPrefix, e);
      return;
    }
    watchFrom(revision + 1);
  }

  private void watchFrom(long revision) {
    stopWatcher();
    if (closed) {
      return;
    }
    long current = generation;
    WatchOption option =
        WatchOption.builder()
            .isPrefix(true)
            .withRevision(revision)
            .withCreateNotify(true)
            .withProgressNotify(true)
            .withRequireLeader(true)
            .build();
    try {
      watcher =
          watchClient.watch(
              prefix,
              option,
              Watch.listener(
                  response -> execute(() -> onResponse(current, response)),
                  error -> execute(() -> onError(current, error)),
                  () -> execute(() -> onCompleted(current))));
    } catch (RuntimeException e) {
      failed("watching " + describedPrefix, e);
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
      failed("reading a change under " + describedPrefix, e);
    }
  }

  private void onError(long from, Throwable error) {
    if (from != generation || closed) {
      return;
    }
    stopWatcher();
    if (error instanceof CompactedException compacted) {
      log.info(
          "the {} fell behind etcd's compaction at revision {}; listing again",
          name,
          compacted.getCompactedRevision());
      listAndWatch();
    } else {
      failed("watching " + describedPrefix, error);
    }
  }

  private void onCompleted(long from) {
    if (from != generation || closed) {
      return;
    }
    stopWatcher();
    failed("watching " + describedPrefix, new IllegalStateException("watch ended"));
  }

  private void failed(String what, Throwable error) {
    established = false;
    stopWatcher();
    if (closed) {
      return;
    }
    Duration pause = backoff.next();
    if (!unreachable) {
      unreachable = true;
      log.warn(
          "{}: {} failed ({}); {}, retrying with backoff", name, what, error.getMessage(), kept());
    } else {
      log.debug(
          "{}: {} failed again ({}); next try in {} ms",
          name,
          what,
          error.getMessage(),
          pause.toMillis());
    }
    try {
      thread.schedule(guarded(this::listAndWatch), pause.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private void recovered() {
    established = true;
    backoff.reset();
    if (unreachable) {
      unreachable = false;
      log.info("{}: etcd answers again; watching {} ({})", name, describedPrefix, kept());
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
   * The executor would keep a task's exception to itself and the watch would silently stop: an
   * unexpected failure is handled like an outage instead.
   */
  private Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        failed("the " + name, e);
      }
    };
  }

  /**
   * Stops deliveries. From another thread it interrupts an etcd call in flight and waits (one call
   * timeout at most) for the watch thread to end, so no delivery follows it; from the listener
   * itself it returns at once.
   */
  @Override
  public final void close() {
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
