package dev.wharf.controlplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runs the real control-plane jar. */
class ControlPlaneJarIT {
  private static final Path JAR = Path.of("target", "wharf-control-plane.jar");

  @Test
  void theRunnableJarStartsAndIdentifiesItself() {
    Result r = CommandRunner.runJar(Duration.ofSeconds(60), JAR, "--version");

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith("wharf-control-plane 0.1.0-SNAPSHOT\nJava "), r.stdout());
  }
}
