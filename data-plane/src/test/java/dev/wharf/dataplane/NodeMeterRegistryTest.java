package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.FreePorts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node's registry, as the data plane's main wires it, stops listening to the JVM's GC
 * notifications when the node stops: a process that starts nodes again (standalone, the tests) must
 * not gather one live listener, and one registry kept reachable, per node it ever ran.
 *
 * <p>How a listener that is gone is seen without waiting for nothing: a probe listener is added to
 * every GC MXBean after the node's; the JVM hands a notification to an MXBean's listeners one after
 * the other in the order they were added, so once the probe has seen a GC, the node's listener (if
 * it is still there) has recorded it in the registry's {@code jvm.gc.*} timers.
 */
@ExtendWith(NettyLeakExtension.class)
class NodeMeterRegistryTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void stoppingTheNodeRemovesTheGcListenerOfItsRegistry() throws Exception {
    NodeMeterRegistry registry = DataPlaneMain.registry();
    try (registry;
        DataPlaneNode node = DataPlaneMain.node(registry, 1, "test")) {
      FreePorts.retryWhenTaken(
          1,
          ports -> {
            node.apply(
                ConfigDocuments.load(
                    """
                    listeners: [{name: web, address: 127.0.0.1, port: %d}]
                    routes: [{name: r, match: {path: {prefix: /}}, respond: {status: 204}}]
                    """
                        .formatted(ports.get(0)),
                    "test"));
            return null;
          });
      collectAndAwaitTheProbe();
      assertTrue(gcTimings(registry) > 0, "while the node runs, its registry records GCs");
    }
    collectAndAwaitTheProbe(); // a notification being handed out as the node stopped is done
    long before = gcTimings(registry);
    collectAndAwaitTheProbe();
    collectAndAwaitTheProbe();
    assertEquals(before, gcTimings(registry), "GCs recorded by the stopped node's registry");
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
