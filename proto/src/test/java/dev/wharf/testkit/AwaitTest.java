package dev.wharf.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How often Await checks a condition, on a fake clock that only its pauses advance. */
class AwaitTest {
  private long now = 1_000_000_000L;
  private final List<Long> pausesMs = new ArrayList<>();

  private void pause(long nanos) {
    pausesMs.add(nanos / 1_000_000);
    now += nanos;
  }

  @Test
  void aConditionThatNeverHoldsIsCheckedWithADoublingPauseUpToFiftyMillisUntilTheBound() {
    int[] checks = {0};
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                Await.until(
                    Duration.ofMillis(300),
                    () -> ++checks[0] < 0,
                    () -> "still not",
                    () -> now,
                    this::pause));

    assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 32L, 50L, 50L, 50L, 50L, 37L), pausesMs);
    assertEquals(12, checks[0], "checked once more at the bound, after the last pause");
    assertTrue(e.getMessage().contains("not within PT0.3S: still not"), e.getMessage());
  }

  @Test
  void aConditionThatHoldsReturnsWithoutAPause() {
    Await.until(Duration.ofSeconds(1), () -> true, () -> "", () -> now, this::pause);

    assertEquals(List.of(), pausesMs);
  }

  @Test
  void aConditionThatHoldsOnTheThirdCheckCostsTwoShortPauses() {
    int[] checks = {0};
    Await.until(Duration.ofSeconds(1), () -> ++checks[0] == 3, () -> "", () -> now, this::pause);

    assertEquals(List.of(1L, 2L), pausesMs);
  }

  @Test
  void onTheRealClockAConditionThatNeverHoldsFailsAfterTheBound() {
    long start = System.nanoTime();
    assertThrows(
        AssertionError.class, () -> Await.until(Duration.ofMillis(100), () -> false, () -> "x"));
    assertTrue(System.nanoTime() - start >= 100_000_000L, "not before the bound");
  }
}
