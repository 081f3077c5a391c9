package dev.wharf.dataplane.discovery;

import dev.wharf.common.Backoff;
import dev.wharf.common.BearerToken;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.Snapshot;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
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
  private final Map<String, String> labels;
  private final ChannelFactory channels;
  private final List<ClientInterceptor> interceptors;
  private final SnapshotApplier applier;
  private final Failover failover;
  private final Duration stableAfter;
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService timers;
  private final boolean ownsTimers;
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
      };

  // Written on the config thread only; volatile for the connected gauge and close().
  private volatile DiscoveryStream stream;
  private volatile boolean closed;
  private final AtomicBoolean started = new AtomicBoolean();
  // Config thread only.
  private ScheduledFuture<?> retry;
  private final HealthReporter health;
  private final Duration healthInterval;
  private ScheduledFuture<?> healthTask;

  private DiscoveryClient(Builder b) {
    this.nodeId = b.nodeId;
    this.labels = Map.copyOf(b.labels);
    this.channels = b.channels;
    this.interceptors = b.token == null ? List.of() : List.of(new BearerToken(b.token));
    this.failover = new Failover(b.targets, b.backoff);
    this.stableAfter = b.stableAfter;
    this.nanoTime = b.nanoTime;
    this.ownsTimers = b.timers == null;
    this.timers =
        ownsTimers
            ? Executors.newSingleThreadScheduledExecutor(
                ConfigThread.daemon("wharf-discovery-timer"))
            : b.timers;
    List<DiscoveryEvents> all = new ArrayList<>();
    this.metrics = b.registry == null ? null : new DiscoveryMetrics(b.registry, this::connected);
    if (metrics != null) {
      all.add(metrics);
    }
    all.addAll(b.events);
    this.events = new EventFanout(all);
    this.applier = new SnapshotApplier(b.sink, b.file, events);
    this.health = new HealthReporter(b.sink);
    this.healthInterval = b.healthInterval;
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
      healthTask =
          health.scheduleEvery(
              healthInterval,
              timers,
              configThread,
              () -> {
                DiscoveryStream s = stream;
                return closed ? null : s;
              });
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
    long running = applier.running();
    Hello hello = applier.hello(nodeId, labels);
    ManagedChannel channel;
    try {
      channel = channels.open(target);
    } catch (RuntimeException e) {
      reconnectAfter(target, "cannot open a channel: " + e.getMessage(), false, false);
      return;
    }
    stream =
        DiscoveryStream.open(
            target, channel, interceptors, configThread, handler, hello, nanoTime.getAsLong());
    log.debug(
        "node {}: connecting to control plane {}, hello with version {}", nodeId, target, running);
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
    boolean healthy =
        s.delivered || nanoTime.getAsLong() - s.openedAtNanos >= stableAfter.toNanos();
    reconnectAfter(
        s.target,
        DiscoveryStream.describeEnd(status),
        healthy,
        status.getCode() == Status.Code.PERMISSION_DENIED);
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
    retry = configThread.runAfter(timers, delay, this::connect);
  }

  /**
   * Stops: cancels the stream and any pending reconnect, lets the config thread finish what it is
   * doing (an apply in progress completes), then shuts the channel down. Waits are bounded. The
   * node keeps serving what it has.
   */
  @Override
  public void close() {
    closed = true;
    if (healthTask != null) {
      healthTask.cancel(false);
    }
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
      if (ownsTimers) {
        timers.shutdownNow();
      }
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

    /** Monotonic time (for {@link #stableAfter}). */
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
