package dev.wharf.testkit;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran (its {@code @AfterAll}
 * included), and the whole run when one is reported after the last class. Registered for every test
 * class of every module by {@code META-INF/services} with {@code
 * junit.jupiter.extensions.autodetection.enabled} (the parent pom's Surefire and Failsafe
 * configuration); the leaks come from {@link RecordingLeakDetector}.
 *
 * <p>One garbage collection per class, and none in a JVM where Netty never ran. Nothing is cleared
 * before a class: a leak reported between two classes fails the next one rather than vanishing.
 */
public final class LeakExtension implements BeforeAllCallback, AfterAllCallback {
  private static final String END_OF_RUN = LeakExtension.class.getName() + ".endOfRun";

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .computeIfAbsent(END_OF_RUN, key -> new EndOfRunCheck(), EndOfRunCheck.class);
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    failOn(sweep(), "while " + context.getDisplayName() + " ran");
  }

  /** Every leak reported since the last call; collects garbage once when Netty is in use. */
  public static List<String> sweep() throws InterruptedException {
    return LeakLog.nettyInUse() ? LeakSweep.sweep() : LeakLog.takeLeaks();
  }

  static void failOn(List<String> leaks, String when) {
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          "Netty reported "
              + leaks.size()
              + " leaked buffer(s) "
              + when
              + " (a leak found between two classes is reported by the later one):\n"
              + String.join("\n\n", leaks));
    }
  }

  /** Closed by JUnit when the whole run ends: the leaks of the last class's late garbage. */
  private static final class EndOfRunCheck implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      failOn(sweep(), "at the end of the test run");
    }
  }
}
