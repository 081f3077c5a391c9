package dev.wharf.dataplane.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.wharf.testkit.LeakExtension;
import dev.wharf.testkit.LeakLog;
import dev.wharf.testkit.RecordingLeakDetector;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reported a leaked buffer during it, and refuses to run a class in a JVM
 * where leaks would only be logged. The leaks are recorded by {@link RecordingLeakDetector}, which
 * the test JVM's arguments install before any Netty class loads; the garbage collection that makes
 * Netty notice dead buffers runs once per class, in {@link LeakExtension} (registered for every
 * class). This extension adds the per-test attribution of leaks Netty reported while the test ran.
 */
public final class NettyLeakExtension implements BeforeAllCallback, AfterEachCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    Unpooled.buffer(1).release(); // creates ByteBuf's detector if no class did yet
    if (!LeakLog.watches(ByteBuf.class.getName())) {
      fail(
          "Netty's leak detector only logs in this JVM: run the tests with "
              + "-Dio.netty.customResourceLeakDetector="
              + RecordingLeakDetector.class.getName()
              + " -Dio.netty.leakDetection.level=paranoid (the parent pom's wharf.test.jvmArgs)");
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> leaks = LeakLog.takeLeaks();
    if (!leaks.isEmpty()) {
      fail("Netty reported leaked buffers:\n" + String.join("\n\n", leaks));
    }
  }
}
