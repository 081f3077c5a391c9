package dev.wharf.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something another thread or process does instead of sleeping a guessed time: returns as
 * soon as the condition holds, fails after the bound.
 */
public final class Await {
  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; fails with {@code state} (evaluated then, so it can
   * show the last state seen) if it still does not after {@code bound}.
   */
  public static void until(Duration bound, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + bound + ": " + state.get());
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
