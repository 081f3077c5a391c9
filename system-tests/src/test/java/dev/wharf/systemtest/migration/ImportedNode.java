package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.testkit.CommandRunner;
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

  /**
   * Imports {@code nginxConf} into {@code dir/wharf.yaml} and starts a node on it, listening; its
   * admin API (metrics) binds port 0 and says where ({@link #adminPort}). The listeners' ports are
   * the ones in {@code nginxConf}: when one was taken before the node bound it, this throws at once
   * saying "address already in use", so a caller inside {@link
   * dev.wharf.testkit.FreePorts#retryWhenTaken} writes the config again on others.
   */
  static JarProcess start(Path dir, Path nginxConf, Duration bound) throws Exception {
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
            List.of("--config", imported.toString(), "--admin", "127.0.0.1:0", "--workers", "1"));
    try {
      node.awaitStarted("listening: ", bound);
    } catch (Exception | AssertionError e) {
      node.close();
      throw e;
    }
    return node;
  }

  /** The port {@code node}'s admin API bound (its {@code admin: HOST:PORT} line). */
  static int adminPort(JarProcess node, Duration bound) {
    String admin = node.awaitLine("admin:", bound);
    return Integer.parseInt(admin.substring(admin.lastIndexOf(':') + 1));
  }
}
