package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a user moving from nginx does: {@code wharfctl import-nginx} on their nginx files (the real
 * wharfctl jar; it must succeed), then a real Wharf node on the document it wrote.
 */
final class ImportedNode {
  private static final Path WHARFCTL = Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar");

  private ImportedNode() {}

  /** Imports {@code nginxConf} into {@code dir/wharf.yaml} and starts a node on it, listening. */
  static JarProcess start(Path dir, Path nginxConf, Duration bound) throws Exception {
    return start(dir, nginxConf, bound, FreePorts.loopback(1).get(0));
  }

  /** As {@link #start(Path, Path, Duration)}, with the node's admin API (metrics) on that port. */
  static JarProcess start(Path dir, Path nginxConf, Duration bound, int adminPort)
      throws Exception {
    Path imported = dir.resolve("wharf.yaml");
    CommandRunner.Result result =
        CommandRunner.run(
            bound,
            List.of(
                "java",
                "-jar",
                WHARFCTL.toString(),
                "import-nginx",
                nginxConf.toString(),
                "-o",
                imported.toString()));
    assertEquals(0, result.exitCode(), result.toString());
    JarProcess node =
        JarProcess.startJar(
            "wharf",
            dir,
            JarProcess.DATA_PLANE_JAR,
            List.of(
                "--config",
                imported.toString(),
                "--admin",
                "127.0.0.1:" + adminPort,
                "--workers",
                "1"));
    node.awaitLine("listening: ", bound);
    return node;
  }
}
