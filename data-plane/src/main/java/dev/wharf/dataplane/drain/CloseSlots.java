package dev.wharf.dataplane.drain;

import java.util.TreeSet;

/**
 * The node's timetable of forced closes, which keeps them from coming in bursts: any two closes are
 * at least {@code 1 / max_closes_per_second} apart (the larger gap of the two policies), so a node
 * never closes more than the cap in a second, whatever number of changes overlap.
 *
 * <p>A close wanted at time {@code t} gets the earliest time at or after {@code t} that keeps that
 * distance from every close already booked. Times are ticker nanoseconds. Bookings in the past are
 * forgotten; a booking whose close was cancelled keeps its slot until it passes (a lost slot only
 * makes a later close a little later).
 *
 * <p>Not thread-safe: the {@link ConnectionDrainer} uses it from its one thread.
 */
final class CloseSlots {
  private static final long SECOND = 1_000_000_000L;

  /** Booked close times, each with the gap its policy asked for. */
  private final TreeSet<Slot> booked = new TreeSet<>();

  private record Slot(long at, long gap) implements Comparable<Slot> {
    @Override
    public int compareTo(Slot o) {
      return Long.compare(at, o.at);
    }
  }

  /**
   * Books a close wanted at {@code wanted} under a cap of {@code perSecond}; returns its time.
   *
   * @param now the current ticker time, to forget bookings that have passed
   */
  long book(long wanted, int perSecond, long now) {
    forgetBefore(now);
    long gap = SECOND / perSecond;
    long t = wanted;
    while (true) {
      Slot before = booked.floor(new Slot(t, 0));
      if (before != null && t - before.at() < Math.max(gap, before.gap())) {
        t = before.at() + Math.max(gap, before.gap());
        continue;
      }
      Slot after = booked.ceiling(new Slot(t, 0));
      if (after != null && after.at() - t < Math.max(gap, after.gap())) {
        t = after.at() + Math.max(gap, after.gap());
        continue;
      }
      booked.add(new Slot(t, gap));
      return t;
    }
  }

  private void forgetBefore(long now) {
    while (!booked.isEmpty() && booked.first().at() < now - SECOND) {
      booked.pollFirst();
    }
  }

  int size() {
    return booked.size();
  }
}
