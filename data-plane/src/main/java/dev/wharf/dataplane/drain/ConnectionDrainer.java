package dev.wharf.dataplane.drain;

import dev.wharf.dataplane.metrics.DrainMeters;
import io.netty.util.concurrent.Ticker;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies drain policies to a node's long-lived connections (WebSockets): after every config change
 * and every health verdict, each open connection is judged against what the node now serves ({@link
 * DrainView#reason}). A connection that must move is closed gracefully by its policy: {@code keep}
 * leaves it alone; {@code close_after_timeout} closes it after the policy's timeout, the closes of
 * one change spread evenly over the policy's window, and never more than the cap per second across
 * the node: {@link CloseSlots} plans the times, and a close whose timer fired late waits its turn
 * rather than going out in a burst with others. Connections a change does not affect are never
 * touched.
 *
 * <p>A close is judged again when it is due: a connection whose endpoint came back, or whose route
 * was restored, in the meantime stays open. A later change that makes a connection unaffected
 * cancels its close at once.
 *
 * <p>Threading: judging runs on one thread of its own ({@code assessor}), never on an event loop,
 * so a change affecting thousands of connections does not delay traffic; each close runs on its
 * connection's event loop. The pending table is concurrent because both touch it.
 */
public final class ConnectionDrainer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConnectionDrainer.class);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /** Runs a task on a connection's event loop after a delay. */
  @FunctionalInterface
  public interface Scheduler {
    Future<?> schedule(Drainable connection, Runnable task, long delayNanos);

    /** The production scheduler: the connection's own event loop. */
    Scheduler EVENT_LOOP =
        (c, task, delay) -> c.executor().schedule(task, delay, TimeUnit.NANOSECONDS);
  }

  /**
   * A booked close; its timer is set just after it is booked. {@code gapNanos} is the least time
   * between this close and the node's previous one; {@code nodeDrain} says the whole node drains,
   * so the close goes whatever the view says; {@code decidedAt} is the ticker time of the change,
   * verdict or node drain that called for it.
   */
  private static final class Pending {
    private final long gapNanos;
    private final boolean nodeDrain;
    private final long decidedAt;
    private volatile Future<?> timer;

    Pending(long gapNanos, boolean nodeDrain, long decidedAt) {
      this.gapNanos = gapNanos;
      this.nodeDrain = nodeDrain;
      this.decidedAt = decidedAt;
    }

    void cancel() {
      Future<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }
  }

  private final Ticker ticker;
  private final DrainMeters meters;
  private final Executor assessor;
  private final Scheduler scheduler;
  private final Set<Drainable> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<Drainable, Pending> pending = new ConcurrentHashMap<>();

  /** Affected connections a keep policy leaves open, so each is logged once, not per change. */
  private final Set<Drainable> kept = ConcurrentHashMap.newKeySet();

  /** Used by the assessor thread only. */
  private final CloseSlots slots = new CloseSlots();

  /**
   * The earliest ticker time the next close may go out. Timers can fire late and together (a busy
   * event loop); this keeps closes apart by the cap even then.
   */
  private final AtomicLong nextCloseAllowed = new AtomicLong(Long.MIN_VALUE);

  private volatile DrainView view = DrainView.EMPTY;

  /**
   * @param assessor one thread (or a serial executor) that judges connections; shut down by {@link
   *     #close} when it is an {@link ExecutorService}
   */
  public ConnectionDrainer(
      Ticker ticker, DrainMeters meters, Executor assessor, Scheduler scheduler) {
    this.ticker = ticker;
    this.meters = meters;
    this.assessor = assessor;
    this.scheduler = scheduler;
  }

  /** The production drainer: judges on a daemon thread of its own, closes on event loops. */
  public static ConnectionDrainer create(Ticker ticker, DrainMeters meters) {
    ExecutorService assessor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "wharf-drain");
              t.setDaemon(true);
              return t;
            });
    return new ConnectionDrainer(ticker, meters, assessor, Scheduler.EVENT_LOOP);
  }

  /** Connections with a close booked and not made yet. */
  public int pending() {
    return pending.size();
  }

  /** Long-lived connections open now. */
  public int open() {
    return open.size();
  }

  /**
   * A connection opened. It is judged at once against the current view too: it may have been placed
   * by a snapshot that a change has just replaced.
   */
  public void opened(Drainable c) {
    open.add(c);
    if (view.reason(c.placement()) != null) {
      submit(() -> assess(List.of(c)));
    }
  }

  /** A connection ended (for whatever reason): forget it and its booked close. */
  public void closed(Drainable c) {
    open.remove(c);
    kept.remove(c);
    Pending p = pending.remove(c);
    if (p != null) {
      p.cancel();
    }
  }

  /** The node now serves {@code next}: judge every open connection against it. */
  public void viewChanged(DrainView next) {
    view = next;
    submit(() -> assess(List.copyOf(open)));
  }

  /**
   * The node drains: every WebSocket open now, affected by a change or not, is closed with 1001 by
   * {@code deadline} (ticker time). Each one's policy spreads the closes (its {@code spread}, cut
   * to what is left before the deadline) and caps them (its {@code max_closes_per_second}, raised
   * when the cap could not close them all in time: every client gets its 1001 rather than an abrupt
   * close at the hard timeout). {@code keep} does not apply: the node goes away.
   */
  public void drainAll(long deadline) {
    List<Drainable> now = List.copyOf(open);
    submit(() -> bookNodeDrain(now, deadline));
  }

  private void bookNodeDrain(List<Drainable> connections, long deadline) {
    long now = ticker.nanoTime();
    long window = Math.max(0, deadline - now);
    Map<DrainSettings, List<Drainable>> bySettings = new LinkedHashMap<>();
    for (Drainable c : connections) {
      Pending earlier = pending.get(c);
      if ((earlier != null && earlier.nodeDrain) || !open.contains(c)) {
        continue;
      }
      if (earlier != null && pending.remove(c, earlier)) {
        earlier.cancel(); // booked by a policy; the node drain decides its time now
      }
      bySettings.computeIfAbsent(view.settings(c.placement()), s -> new ArrayList<>()).add(c);
    }
    int booked = 0;
    for (Map.Entry<DrainSettings, List<Drainable>> e : bySettings.entrySet()) {
      List<Drainable> group = e.getValue();
      long spread = Math.min(e.getKey().spread().toNanos(), window);
      long perSecond =
          Math.max(
              e.getKey().maxClosesPerSecond(),
              window == 0 ? Integer.MAX_VALUE : (long) Math.ceil(group.size() * 1e9 / window));
      book(group, now, now, spread, (int) Math.min(Integer.MAX_VALUE, perSecond), true);
      booked += group.size();
    }
    if (booked > 0) {
      log.info(
          "node drain: closing {} WebSocket(s) with 1001 within {} ms",
          booked,
          TimeUnit.NANOSECONDS.toMillis(window));
    }
  }

  /** An endpoint's health verdict changed: judge every open connection again. */
  public void healthChanged() {
    submit(() -> assess(List.copyOf(open)));
  }

  private void submit(Runnable task) {
    try {
      assessor.execute(task);
    } catch (RejectedExecutionException e) {
      // closed: the node is shutting down and closes every connection anyway
    }
  }

  private void assess(List<Drainable> connections) {
    DrainView v = view;
    long now = ticker.nanoTime();
    Map<DrainSettings, List<Drainable>> toBook = new LinkedHashMap<>();
    Map<DrainReason, Integer> counts = new EnumMap<>(DrainReason.class);
    int newlyKept = 0;
    int cancelled = 0;
    for (Drainable c : connections) {
      Pending booked = pending.get(c);
      if (booked != null && booked.nodeDrain) {
        continue; // the node drains: a config change does not move that close
      }
      DrainReason reason = v.reason(c.placement());
      if (reason == null) {
        kept.remove(c);
        Pending p = pending.remove(c);
        if (p != null) {
          p.cancel();
          cancelled++;
        }
        continue;
      }
      if (pending.containsKey(c) || !open.contains(c)) {
        continue; // already booked, or gone since the list was taken
      }
      DrainSettings settings = v.settings(c.placement());
      if (settings.keep()) {
        if (kept.add(c)) {
          newlyKept++;
        }
        continue;
      }
      kept.remove(c);
      toBook.computeIfAbsent(settings, s -> new ArrayList<>()).add(c);
      counts.merge(reason, 1, Integer::sum);
    }
    for (Map.Entry<DrainSettings, List<Drainable>> e : toBook.entrySet()) {
      DrainSettings s = e.getKey();
      book(
          e.getValue(),
          now,
          now + s.timeout().toNanos(),
          s.spread().toNanos(),
          s.maxClosesPerSecond(),
          false);
    }
    if (!counts.isEmpty()) {
      log.info(
          "drain: closing {} connection(s) ({}) gracefully; {} now pending",
          counts.values().stream().mapToInt(Integer::intValue).sum(),
          describe(counts),
          pending.size());
    }
    if (cancelled > 0) {
      log.info(
          "drain: {} connection(s) no longer affected; their closes are cancelled ({} "
              + "still pending)",
          cancelled,
          pending.size());
    }
    if (newlyKept > 0) {
      log.info(
          "drain: keeping {} affected connection(s) open (policy keep); {} kept in all",
          newlyKept,
          kept.size());
    }
  }

  /**
   * Books the closes of connections that share a policy, decided at {@code decidedAt}: from {@code
   * start}, the i-th of n at {@code i / n} of the {@code spread} window, each then moved as late as
   * the node's cap requires.
   */
  private void book(
      List<Drainable> connections,
      long decidedAt,
      long start,
      long spread,
      int perSecond,
      boolean nodeDrain) {
    long now = ticker.nanoTime();
    int n = connections.size();
    for (int i = 0; i < n; i++) {
      Drainable c = connections.get(i);
      long at = slots.book(start + spread * i / n, perSecond, now);
      Pending p = new Pending(SECOND / perSecond, nodeDrain, decidedAt);
      pending.put(c, p);
      p.timer = scheduler.schedule(c, () -> fire(c, p), Math.max(0, at - now));
      if (!open.contains(c)) {
        closed(c); // it ended while being booked
      }
    }
  }

  /** A booked close is due; runs on the connection's event loop. */
  private void fire(Drainable c, Pending p) {
    if (pending.get(c) != p) {
      return; // cancelled, or the connection ended
    }
    DrainReason reason = p.nodeDrain ? DrainReason.NODE_DRAIN : view.reason(c.placement());
    if (reason == null) {
      pending.remove(c, p); // restored in the meantime
      return;
    }
    long now = ticker.nanoTime();
    long wait = admit(now, p.gapNanos);
    if (wait > 0) {
      p.timer = scheduler.schedule(c, () -> fire(c, p), wait);
      return;
    }
    if (pending.remove(c, p)) {
      // On the node's own clock, for an operator (and a test) checking a policy's spread and cap:
      // a client's view of the closes also holds its own scheduling delays. Logged before the
      // close, so a line never comes after what a client sees.
      log.debug(
          "drain: closing a connection ({}) {} us after the decision",
          reason.tag(),
          TimeUnit.NANOSECONDS.toMicros(now - p.decidedAt));
      meters.closed(reason.tag(), 1);
      c.goAway();
    }
  }

  /** Lets a close go now (0) if it keeps {@code gap} from the last one, else how long to wait. */
  private long admit(long now, long gap) {
    while (true) {
      long allowed = nextCloseAllowed.get();
      if (allowed != Long.MIN_VALUE && now - allowed < 0) {
        return allowed - now;
      }
      if (nextCloseAllowed.compareAndSet(allowed, now + gap)) {
        return 0;
      }
    }
  }

  private static String describe(Map<DrainReason, Integer> counts) {
    List<String> parts = new ArrayList<>();
    counts.forEach((reason, n) -> parts.add(reason.tag() + " " + n));
    return String.join(", ", parts);
  }

  /** Stops judging; booked closes of connections still open are left to their event loops. */
  @Override
  public void close() {
    if (assessor instanceof ExecutorService service) {
      service.shutdownNow();
    }
  }
}
