package dev.wharf.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.wharf.testkit.Await;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import org.junit.jupiter.api.Test;

/**
 * A replica's registry, as the control plane's main builds it, stops listening to the JVM's GC
 * notifications once closed: a process that starts replicas again (standalone, the tests) must not
 * gather one live listener, and one registry kept reachable, per replica it ever ran.
 *
 * <p>How a listener that is gone is seen without waiting for nothing: a probe listener is added to
 * every GC MXBean after the registry's; the JVM hands a notification to an MXBean's listeners in
 * the order they were added, so once the probe has seen a GC, the registry's listener (if it is
 * still there) has recorded it in the {@code jvm.gc.*} timers.
 */
class ReplicaMeterRegistryTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void closingTheReplicasRegistryRemovesItsGcListener() throws Exception {
    PrometheusMeterRegistry registry = ControlPlaneMain.registry();
    try {
      collectAndAwaitTheProbe();
      assertTrue(gcTimings(registry) > 0, "while open, the registry records GCs");
    } finally {
      registry.close();
    }
    collectAndAwaitTheProbe(); // a notification being handed out as it closed is done
    long before = gcTimings(registry);
    collectAndAwaitTheProbe();
    collectAndAwaitTheProbe();
    assertEquals(before, gcTimings(registry), "GCs recorded by the closed registry");
  }

  /** Everything the {@code jvm.gc.*} timers counted (pauses and concurrent phases). */
  private static long gcTimings(MeterRegistry registry) {
    return registry.getMeters().stream()
        .filter(m -> m.getId().getName().startsWith("jvm.gc.") && m instanceof Timer)
        .mapToLong(m -> ((Timer) m).count())
        .sum();
  }

  /** A System.gc(), then waits until a probe added now has been told of a GC that ended. */
  private static void collectAndAwaitTheProbe() throws ListenerNotFoundException {
    AtomicInteger seen = new AtomicInteger();
    NotificationListener probe =
        (notification, handback) -> {
          if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
              notification.getType())) {
            seen.incrementAndGet();
          }
        };
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener(probe, null, null);
    }
    try {
      System.gc();
      Await.until(WAIT, () -> seen.get() > 0, () -> "no GC notification reached the probe");
    } finally {
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc).removeNotificationListener(probe);
      }
    }
  }
}
