package dev.wharf.dataplane.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One counter per HTTP status class for one tag set. A class's counter is registered the first time
 * a status of that class is seen, so no all-zero series appear for classes never served.
 *
 * <p>Thread-safe and allocation-free once a class's counter exists. Two threads meeting a new class
 * at once both register it; Micrometer hands both the same counter.
 */
final class StatusCounters {
  static final String TAG = "status_class";
  private static final String[] CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx", "other"};

  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final Tags tags;
  private final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(CLASSES.length);

  StatusCounters(MeterRegistry registry, String name, String description, Tags tags) {
    this.registry = registry;
    this.name = name;
    this.description = description;
    this.tags = tags;
  }

  void increment(int status) {
    int index = classIndex(status);
    Counter counter = counters.get(index);
    if (counter == null) {
      counter =
          Counter.builder(name)
              .description(description)
              .tags(tags)
              .tag(TAG, CLASSES[index])
              .register(registry);
      counters.set(index, counter);
    }
    counter.increment();
  }

  /** {@code "none"} for 0 (no response was sent), {@code "1xx"}..{@code "5xx"}, else "other". */
  static String statusClass(int status) {
    return CLASSES[classIndex(status)];
  }

  private static int classIndex(int status) {
    if (status == 0) {
      return 0;
    }
    return status >= 100 && status <= 599 ? status / 100 : CLASSES.length - 1;
  }
}
