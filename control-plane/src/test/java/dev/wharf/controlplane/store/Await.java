package dev.wharf.controlplane.store;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition until it holds or a bound passes; tests wait with this, never sleep. */
final class Await {
  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; fails with {@code description} (evaluated then, so
   * it can show the last state seen) if it still does not after {@code bound}.
   */
  static void until(Duration bound, BooleanSupplier condition, Supplier<String> description) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + bound.toMillis() + " ms: " + description.get());
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
