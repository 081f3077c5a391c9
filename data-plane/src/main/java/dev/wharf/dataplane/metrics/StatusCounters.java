package dev.wharf.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One counter per HTTP status for one tag set, tagged with the status ({@code status}) and its
 * class ({@code status_class}). A status's counter is registered the first time it is seen, so no
 * all-zero series appear for statuses never served.
 *
 * <p>Cardinality is bounded whatever a backend sends: the statuses a proxy commonly sees ({@link
 * #KNOWN}) are their own series; any other status from 100 to 599 is {@code status="other"} within
 * its class; anything outside that range is {@code status="other", status_class="other"}; 0 (no
 * response was sent) is {@code "none"} for both. So one tag set has at most {@code KNOWN.length +
 * 7} series.
 *
 * <p>Thread-safe and allocation-free once a status's counter exists: the status picks its slot in a
 * fixed array, no map. Two threads meeting a new status at once both register it; Micrometer hands
 * both the same counter.
 */
final class StatusCounters {
  static final String TAG = "status_class";
  static final String CODE_TAG = "status";

  /** The statuses counted under their own value. */
  static final int[] KNOWN = {
    100, 101, 200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 408,
    409, 410, 411, 412, 413, 414, 415, 416, 421, 422, 429, 431, 499, 500, 501, 502, 503, 504
  };

  private static final String[] CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx", "other"};
  private static final int OTHER_CLASS = CLASSES.length - 1;

  /** Slot of each status 0..599; slots after the known ones are "other" per class, then none. */
  private static final int[] SLOT_OF = new int[600];

  private static final String[] SLOT_STATUS;
  private static final String[] SLOT_CLASS;

  static {
    int slots = KNOWN.length + CLASSES.length;
    SLOT_STATUS = new String[slots];
    SLOT_CLASS = new String[slots];
    for (int c = 0; c < CLASSES.length; c++) {
      int slot = KNOWN.length + c;
      SLOT_STATUS[slot] = c == 0 ? "none" : "other";
      SLOT_CLASS[slot] = CLASSES[c];
    }
    for (int status = 100; status < SLOT_OF.length; status++) {
      SLOT_OF[status] = KNOWN.length + status / 100;
    }
    SLOT_OF[0] = KNOWN.length;
    for (int i = 0; i < KNOWN.length; i++) {
      SLOT_OF[KNOWN[i]] = i;
      SLOT_STATUS[i] = Integer.toString(KNOWN[i]);
      SLOT_CLASS[i] = CLASSES[KNOWN[i] / 100];
    }
  }

  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final Tags tags;
  private final AtomicReferenceArray<Counter> counters =
      new AtomicReferenceArray<>(SLOT_STATUS.length);

  StatusCounters(MeterRegistry registry, String name, String description, Tags tags) {
    this.registry = registry;
    this.name = name;
    this.description = description;
    this.tags = tags;
  }

  void increment(int status) {
    int slot = slot(status);
    Counter counter = counters.get(slot);
    if (counter == null) {
      counter =
          Counter.builder(name)
              .description(description)
              .tags(tags)
              .tag(CODE_TAG, SLOT_STATUS[slot])
              .tag(TAG, SLOT_CLASS[slot])
              .register(registry);
      counters.set(slot, counter);
    }
    counter.increment();
  }

  /** {@code "none"} for 0 (no response was sent), {@code "1xx"}..{@code "5xx"}, else "other". */
  static String statusClass(int status) {
    return SLOT_CLASS[slot(status)];
  }

  private static int slot(int status) {
    if (status == 0 || (status >= 100 && status < SLOT_OF.length)) {
      return SLOT_OF[status];
    }
    return KNOWN.length + OTHER_CLASS;
  }
}
