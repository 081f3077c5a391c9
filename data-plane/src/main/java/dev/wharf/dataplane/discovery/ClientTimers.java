package dev.wharf.dataplane.discovery;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;

/**
 * The discovery client's scheduler (its own thread unless one is given) and its periodic tasks
 * (health reports, the silence check), cancelled together when the client closes.
 */
final class ClientTimers {
  private final ScheduledExecutorService timers;
  private final boolean owned;
  private final List<ScheduledFuture<?>> periodic = new CopyOnWriteArrayList<>();

  /**
   * @param given the caller's scheduler, or null for a thread of the client's own
   */
  ClientTimers(ScheduledExecutorService given) {
    this.owned = given == null;
    this.timers =
        owned
            ? Executors.newSingleThreadScheduledExecutor(
                ConfigThread.daemon("wharf-discovery-timer"))
            : given;
  }

  ScheduledExecutorService executor() {
    return timers;
  }

  /** Remembers a periodic task, so {@link #cancelPeriodic} stops it; null is ignored. */
  void periodic(ScheduledFuture<?> task) {
    if (task != null) {
      periodic.add(task);
    }
  }

  void cancelPeriodic() {
    periodic.forEach(t -> t.cancel(false));
  }

  /** Stops the scheduler if it is the client's own. */
  void shutdownOwned() {
    if (owned) {
      timers.shutdownNow();
    }
  }
}
