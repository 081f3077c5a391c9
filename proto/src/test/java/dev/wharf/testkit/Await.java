package dev.wharf.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Waits for something another thread or process does instead of sleeping a guessed time: returns as
 * soon as the condition holds, fails after the bound.
 *
 * <p>The condition is polled with a back-off, {@link #FIRST_PAUSE} doubling up to {@link
 * #LONGEST_PAUSE}: a condition that holds at once costs about a millisecond, and a condition that
 * is an HTTP call or a process's output does not hammer a loaded machine for the whole bound. The
 * last pause is cut so that the condition is checked once more at the bound.
 */
public final class Await {
  /** The first pause after a condition that does not hold. */
  public static final Duration FIRST_PAUSE = Duration.ofMillis(1);

  /** The longest pause between two checks. */
  public static final Duration LONGEST_PAUSE = Duration.ofMillis(50);

  private Await() {}

  /**
   * Returns as soon as {@code condition} holds; fails with {@code state} (evaluated then, so it can
   * show the last state seen) if it still does not after {@code bound}.
   */
  public static void until(Duration bound, BooleanSupplier condition, Supplier<String> state) {
    until(bound, condition, state, System::nanoTime, LockSupport::parkNanos);
  }

  /**
   * The same, with the time source ({@code nanoTime}, as {@link System#nanoTime()}) and the pause
   * ({@code pauseNanos}, as {@link LockSupport#parkNanos(long)}) passed in.
   */
  public static void until(
      Duration bound,
      BooleanSupplier condition,
      Supplier<String> state,
      LongSupplier nanoTime,
      LongConsumer pauseNanos) {
    long deadline = nanoTime.getAsLong() + bound.toNanos();
    long pause = FIRST_PAUSE.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - nanoTime.getAsLong();
      if (left <= 0) {
        throw new AssertionError("not within " + bound + ": " + state.get());
      }
      pauseNanos.accept(Math.min(pause, left));
      pause = Math.min(pause * 2, LONGEST_PAUSE.toNanos());
    }
  }
}
