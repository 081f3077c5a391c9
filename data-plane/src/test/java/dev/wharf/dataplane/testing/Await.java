package dev.wharf.dataplane.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something another thread does (an event loop finishing its bookkeeping) instead of
 * sleeping a guessed time: returns as soon as the condition holds, fails after the bound.
 */
public final class Await {
  private Await() {}

  public static void until(Duration bound, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + bound + ": " + state.get());
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
