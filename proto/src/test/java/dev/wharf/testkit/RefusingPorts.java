package dev.wharf.testkit;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Loopback ports that refuse connections ({@link FreePorts#refusing()}), held until the test ends
 * (an instance field) or the class ends (a static field), so nothing can start listening on one
 * while a test counts on the refusal.
 *
 * <pre>{@code
 * @RegisterExtension final RefusingPorts refusing = RefusingPorts.untilEachTestEnds();
 * @RegisterExtension static final RefusingPorts shared = RefusingPorts.untilTheClassEnds();
 * ... "127.0.0.1:" + refusing.port() ...
 * }</pre>
 */
public final class RefusingPorts implements AfterEachCallback, AfterAllCallback {
  private final List<FreePorts.Refusing> held = new ArrayList<>();
  private final boolean perTest;

  private RefusingPorts(boolean perTest) {
    this.perTest = perTest;
  }

  /** For an instance field: ports are released after each test. */
  public static RefusingPorts untilEachTestEnds() {
    return new RefusingPorts(true);
  }

  /** For a static field (ports taken in {@code @BeforeAll}): released after the last test. */
  public static RefusingPorts untilTheClassEnds() {
    return new RefusingPorts(false);
  }

  /** A new refusing port, held until the end of the test (or class) that registered this. */
  public synchronized int port() {
    FreePorts.Refusing port = FreePorts.refusing();
    held.add(port);
    return port.port();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      release();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    release();
  }

  private synchronized void release() {
    held.forEach(FreePorts.Refusing::close);
    held.clear();
  }
}
