package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Runs the real data-plane jar: its Netty natives and config reading work once shaded. */
class DataPlaneJarIT {
  private static final Path JAR = Path.of("target", "wharf-data-plane.jar");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Test
  void theRunnableJarFindsTheNativeEpollTransport() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "--version");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith("wharf-data-plane 0.1.0-SNAPSHOT\n"), r.stdout());
    if (System.getProperty("os.name").equals("Linux")
        && Set.of("amd64", "aarch64").contains(System.getProperty("os.arch"))) {
      assertTrue(r.stdout().contains("Netty transport: epoll (native)"), r.stdout());
    }
  }

  @Test
  void theDemoConfigIsReadAndItsListenerReported() {
    Result r = CommandRunner.runJar(TIMEOUT, JAR, "--config", "../deploy/examples/demo.yaml");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("listener demo -> 127.0.0.1:8080"), r.stdout());
  }
}
