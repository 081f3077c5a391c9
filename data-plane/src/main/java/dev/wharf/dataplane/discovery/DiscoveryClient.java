package dev.wharf.dataplane.discovery;

import dev.wharf.common.Backoff;
import dev.wharf.common.BearerToken;
import dev.wharf.proto.discovery.v1.Snapshot;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's side of config distribution (docs/architecture.md, "The node's side of the stream"):
 * one stream to one control-plane replica at a time. It says hello with the version it runs,
 * applies each pushed snapshot, saves it to disk and answers ACK, or answers NACK with the reason
 * and keeps serving the old config. When the stream ends it waits ({@link Backoff}) and tries the
 * next replica in the list.
 *
 * <p>{@link #start} first serves the last acknowledged snapshot from disk, so a node restarting
 * while no control plane answers serves its last good config.
 *
 * <p>Threading: everything (stream callbacks, applying, writing the file, reconnecting) runs on one
 * thread of its own, {@code wharf-config}, never on a gRPC or Netty thread; so the order in which
 * snapshots and stream ends are handled is the order they arrived. Reconnect timers run on the
 * scheduler and only hand work to that thread. Pushes queue there while a snapshot is being
 * applied; the control plane's rule of one unacknowledged push per stream bounds that queue, and
 * the node's only messages (hello, one ACK or NACK per push) need no flow control.
 */
public final class DiscoveryClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DiscoveryClient.class);
  private static final long CLOSE_WAIT_MILLIS = 10_000;

  private final String nodeId;
  private final StreamOpener opener;
  private final SnapshotApplier applier;
  private final Failover failover;
  private final Duration stableAfter;
  private final LongSupplier nanoTime;
  private final ClientTimers timers;
  private final EventFanout events;
  private final DiscoveryMetrics metrics;
  private final ConfigThread configThread = new ConfigThread();
  private final DiscoveryStream.Handler handler =
      new DiscoveryStream.Handler() {
        @Override
        public void snapshot(DiscoveryStream stream, Snapshot snapshot) {
          onSnapshot(stream, snapshot);
        }

        @Override
        public void ended(DiscoveryStream stream, Status status) {
          onEnded(stream, status);
        }

        @Override
        public void drain(DiscoveryStream stream, String requestedBy) {
          if (stream == DiscoveryClient.this.stream) {
            log.warn("drain requested by {} through control plane {}", requestedBy, stream.target);
            events.emit(e -> e.drainRequested(requestedBy));
          }
        }

        @Override
        public void moveAway(DiscoveryStream stream, String reason) {
          if (failover.hasOthers()) { // with one replica in the list there is nowhere to go
            abandon(stream, StreamLoss.MOVED, "asked this node to move (" + reason + ")");
          }
        }
      };

  // Written on the config thread only; volatile for the connected gauge and close().
  private volatile DiscoveryStream stream;
  private volatile boolean closed;
  private final AtomicBoolean started = new AtomicBoolean();
  // Config thread only.
  private ScheduledFuture<?> retry;
  private final HealthReporter health;
  private final Duration healthInterval;
  private final StreamWatchdog watchdog;

  private DiscoveryClient(Builder b) {
    this.nodeId = b.nodeId;
    this.opener =
        new StreamOpener(
            b.nodeId,
            b.labels,
            b.channels,
            b.token == null ? List.of() : List.of(new BearerToken(b.token)),
            b.nanoTime);
    this.failover = new Failover(b.targets, b.backoff);
    this.stableAfter = b.stableAfter;
    this.nanoTime = b.nanoTime;
    this.timers = new ClientTimers(b.timers);
    this.metrics = b.registry == null ? null : new DiscoveryMetrics(b.registry, this::connected);
    this.events = EventFanout.of(metrics, b.events);
    this.applier = new SnapshotApplier(b.sink, b.file, events);
    this.health = new HealthReporter(b.sink);
    this.healthInterval = b.healthInterval;
    this.watchdog = new StreamWatchdog(b.controlPlaneTimeout, nanoTime);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Serves the snapshot file if there is a valid one (before returning), then opens the stream to
   * the first control plane (without waiting for it). Once only.
   */
  public void start() throws InterruptedException {
    if (started.getAndSet(true)) {
      throw new IllegalStateException("already started");
    }
    try {
      configThread.run(
          () -> {
            applier.serveSaved();
            connect();
          });
      timers.periodic(
          health.scheduleEvery(
              healthInterval,
              timers.executor(),
              configThread,
              () -> {
                DiscoveryStream s = stream;
                return closed ? null : s;
              }));
      timers.periodic(watchdog.schedule(timers.executor(), configThread, this::checkSilence));
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot start the discovery client", e.getCause());
    }
  }

  /** Whether a stream to a control plane is open on a ready channel. */
  public boolean connected() {
    DiscoveryStream s = stream;
    return s != null && s.connected();
  }

  private void connect() {
    retry = null;
    if (closed) {
      return;
    }
    String target = failover.current();
    try {
      stream = opener.open(target, applier, configThread, handler);
    } catch (RuntimeException e) {
      reconnectAfter(target, "cannot open a channel: " + e.getMessage(), false, false);
    }
  }

  private void onSnapshot(DiscoveryStream s, Snapshot snapshot) {
    if (s != stream || applier.draining()) {
      return; // a stream we already gave up, or the node drains and changes nothing now
    }
    s.delivered = true;
    s.send(applier.answer(snapshot, "control plane " + s.target));
  }

  private void onEnded(DiscoveryStream s, Status status) {
    if (s != stream) {
      return;
    }
    stream = null;
    s.close("stream ended");
    boolean refused = status.getCode() == Status.Code.PERMISSION_DENIED;
    events.emit(e -> e.streamLost(s.target, (refused ? StreamLoss.REFUSED : StreamLoss.ENDED)));
    boolean healthy =
        s.delivered || nanoTime.getAsLong() - s.openedAtNanos >= stableAfter.toNanos();
    reconnectAfter(s.target, DiscoveryStream.describeEnd(status), healthy, refused);
  }

  /** Gives up the current stream if its replica has been silent for the watchdog's timeout. */
  private void checkSilence() {
    DiscoveryStream s = stream;
    if (s != null && !closed && watchdog.silent(s)) {
      abandon(s, StreamLoss.SILENT, "did not answer for " + watchdog + "; moving to the next");
    }
  }

  /** Gives {@code s} up from this side: "control plane replica X {@code why}"; moves on. */
  private void abandon(DiscoveryStream s, StreamLoss loss, String why) {
    if (s != stream || closed) {
      return;
    }
    stream = null;
    log.warn("control plane replica {} {}", s.target, why);
    s.close(why);
    events.emit(e -> e.streamLost(s.target, loss));
    reconnectAfter(s.target, loss.description(), true, false);
  }

  /**
   * Logs why the stream to {@code target} ended and schedules the next attempt. A stream that ended
   * before it proved healthy (a refusal comes right after the hello) makes the backoff grow, so a
   * node the control plane keeps refusing does not spin. A refusal is logged as an error: {@link
   * StreamEndLog}.
   */
  private void reconnectAfter(String target, String why, boolean healthy, boolean refused) {
    if (closed) {
      return;
    }
    Failover.Step step = failover.ended(healthy);
    String next = step.target();
    Duration delay = step.delay();
    StreamEndLog.ended(nodeId, target, why, refused, applier::running, next, delay);
    events.emit(e -> e.streamEnded(target, why, next, delay));
    retry = configThread.runAfter(timers.executor(), delay, this::connect);
  }

  /**
   * Stops: cancels the stream and any pending reconnect, lets the config thread finish what it is
   * doing (an apply in progress completes), then shuts the channel down. Waits are bounded. The
   * node keeps serving what it has.
   */
  @Override
  public void close() {
    closed = true;
    timers.cancelPeriodic();
    try {
      configThread.execute(
          () -> {
            if (retry != null) {
              retry.cancel(false);
            }
          });
    } catch (RejectedExecutionException e) {
      return; // closed before
    }
    configThread.shutdown();
    DiscoveryStream s = stream;
    if (s != null) {
      s.close("node closing");
    }
    try {
      configThread.awaitStopped(CLOSE_WAIT_MILLIS);
      timers.shutdownOwned();
      s = stream; // one may have opened while we were closing
      if (s != null) {
        s.close("node closing");
        s.awaitClosed(CLOSE_WAIT_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (metrics != null) {
        metrics.close();
      }
    }
  }

  /** Settings of a client; node id, targets, sink and snapshot file are required. */
  public static final class Builder {
    private String nodeId;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private List<String> targets = List.of();
    private ChannelFactory channels = ChannelFactory.plaintext();
    private String token;
    private ConfigSink sink;
    private SnapshotFile file;
    private Backoff backoff = Backoff.defaults();
    private Duration stableAfter = Duration.ofSeconds(30);
    private Duration healthInterval = Duration.ofSeconds(1);
    private Duration controlPlaneTimeout = StreamWatchdog.DEFAULT_TIMEOUT;
    private LongSupplier nanoTime = System::nanoTime;
    private ScheduledExecutorService timers;
    private MeterRegistry registry;
    private final List<DiscoveryEvents> events = new ArrayList<>();

    private Builder() {}

    public Builder nodeId(String id) {
      if (id.isBlank()) {
        throw new IllegalArgumentException("nodeId: blank (expected: a name)");
      }
      nodeId = id;
      return this;
    }

    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder labels(Map<String, String> all) {
      all.forEach(this::label);
      return this;
    }

    /** Control-plane replicas ({@code host:port}), tried in this order, round robin. */
    public Builder targets(List<String> list) {
      if (list.isEmpty() || list.stream().anyMatch(String::isBlank)) {
        throw new IllegalArgumentException(
            "targets: " + list + " (expected: at least one host:port)");
      }
      targets = List.copyOf(list);
      return this;
    }

    /** How channels are opened (default: {@link ChannelFactory#plaintext()}). */
    public Builder channelFactory(ChannelFactory f) {
      channels = Objects.requireNonNull(f);
      return this;
    }

    /** Sent as {@code authorization: Bearer <token>} on every stream. */
    public Builder token(String t) {
      new BearerToken(t); // checks it now, at startup
      token = t;
      return this;
    }

    public Builder sink(ConfigSink s) {
      sink = Objects.requireNonNull(s);
      return this;
    }

    public Builder snapshotFile(SnapshotFile f) {
      file = Objects.requireNonNull(f);
      return this;
    }

    public Builder backoff(Backoff b) {
      backoff = Objects.requireNonNull(b);
      return this;
    }

    /** A stream up this long counts as healthy even without a snapshot: backoff starts over. */
    public Builder stableAfter(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("stableAfter: " + d + " (expected: >= 0)");
      }
      stableAfter = d;
      return this;
    }

    /** How often the node's endpoint health is compared with what it last reported. */
    public Builder healthReportInterval(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("healthReportInterval: " + d + " (expected: > 0)");
      }
      healthInterval = d;
      return this;
    }

    /**
     * A replica heard from not at all for this long (no heartbeat, no push) is given up; 0: never.
     */
    public Builder controlPlaneTimeout(Duration d) {
      controlPlaneTimeout = StreamWatchdog.validate(d);
      return this;
    }

    /** Monotonic time (for {@link #stableAfter} and {@link #controlPlaneTimeout}). */
    public Builder nanoTime(LongSupplier t) {
      nanoTime = Objects.requireNonNull(t);
      return this;
    }

    /** Runs reconnect timers (default: a thread of the client's own, stopped on close). */
    public Builder scheduler(ScheduledExecutorService s) {
      timers = Objects.requireNonNull(s);
      return this;
    }

    /** Registers the {@code wharf.discovery.*} meters. */
    public Builder meterRegistry(MeterRegistry r) {
      registry = Objects.requireNonNull(r);
      return this;
    }

    public Builder events(DiscoveryEvents e) {
      events.add(Objects.requireNonNull(e));
      return this;
    }

    public DiscoveryClient build() {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(sink, "sink");
      Objects.requireNonNull(file, "snapshotFile");
      if (targets.isEmpty()) {
        throw new IllegalArgumentException("targets: none (expected: at least one host:port)");
      }
      return new DiscoveryClient(this);
    }
  }
}
