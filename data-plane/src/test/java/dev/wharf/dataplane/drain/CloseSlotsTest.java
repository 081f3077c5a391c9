package dev.wharf.dataplane.drain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The node's close timetable keeps closes apart by the cap, whatever asks for them. */
class CloseSlotsTest {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;

  private final CloseSlots slots = new CloseSlots();

  @Test
  void closesWantedAtOnceAreSpacedByTheCap() {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      times.add(slots.book(5 * SECOND, 50, 0));
    }
    assertEquals(5 * SECOND, times.get(0), "the first goes when wanted");
    for (int i = 1; i < times.size(); i++) {
      assertEquals(20 * MS, times.get(i) - times.get(i - 1), "1/50 s apart");
    }
    assertEquals(5 * SECOND + 199 * 20 * MS, times.get(199));
  }

  @Test
  void closesAlreadyFarEnoughApartKeepTheirTimes() {
    assertEquals(SECOND, slots.book(SECOND, 10, 0));
    assertEquals(2 * SECOND, slots.book(2 * SECOND, 10, 0));
    assertEquals(
        SECOND + 500 * MS,
        slots.book(SECOND + 500 * MS, 10, 0),
        "a free gap between two bookings is used");
  }

  @Test
  void aSecondChangeFitsBetweenOrAfterTheFirstOnesClosesNeverCloserThanTheCap() {
    for (int i = 0; i < 10; i++) {
      slots.book(SECOND + i * 250 * MS, 100, 0); // 4 per second, well under the cap
    }
    List<Long> all = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      all.add(slots.book(SECOND, 100, 0));
    }
    for (int i = 0; i < 10; i++) {
      all.add(SECOND + i * 250 * MS);
    }
    Collections.sort(all);
    for (int i = 1; i < all.size(); i++) {
      assertTrue(
          all.get(i) - all.get(i - 1) >= 10 * MS,
          "closes "
              + i
              + " and "
              + (i - 1)
              + " are "
              + (all.get(i) - all.get(i - 1))
              + " ns apart");
    }
    int inAnySecond = 0;
    for (int i = 0; i < all.size(); i++) {
      int j = i;
      while (j < all.size() && all.get(j) - all.get(i) < SECOND) {
        j++;
      }
      inAnySecond = Math.max(inAnySecond, j - i);
    }
    assertEquals(100, inAnySecond, "never more than the cap in a second");
  }

  @Test
  void theStricterCapOfTwoNeighboursWins() {
    long first = slots.book(SECOND, 2, 0); // wants 500 ms around it
    long second = slots.book(SECOND, 1000, 0);
    assertEquals(SECOND, first);
    assertEquals(SECOND + 500 * MS, second);
  }

  @Test
  void bookingsThatHavePassedAreForgotten() {
    for (int i = 0; i < 100; i++) {
      slots.book(SECOND, 100, 0);
    }
    assertEquals(100, slots.size());
    assertEquals(10 * SECOND, slots.book(10 * SECOND, 100, 10 * SECOND));
    assertEquals(1, slots.size());
  }
}
