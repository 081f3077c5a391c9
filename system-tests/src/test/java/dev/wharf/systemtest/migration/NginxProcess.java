package dev.wharf.systemtest.migration;

import dev.wharf.testkit.MissingTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real nginx (Debian's) started on a config of the test's, with every file it writes under {@code
 * prefix}; stopped by its pid. Under CI a missing nginx fails the test, elsewhere it is skipped.
 */
final class NginxProcess implements AutoCloseable {
  static final Path NGINX = Path.of("/usr/sbin/nginx");

  private final Process process;
  private final Path prefix;

  private NginxProcess(Process process, Path prefix) {
    this.process = process;
    this.prefix = prefix;
  }

  /** Fails under CI, skips elsewhere, when there is no nginx to compare with. */
  static void assumeInstalled() {
    if (!Files.isExecutable(NGINX)) {
      MissingTool.missing(
          "nginx is not installed at " + NGINX + " (Debian: apt-get install nginx)");
    }
  }

  /**
   * Starts nginx in the foreground on {@code conf}; relative paths (logs, temp files) resolve under
   * {@code prefix}.
   *
   * @param globals main-context directives to add, e.g. a {@code pid} file when the config has none
   *     (nginx's default is the system's /run/nginx.pid)
   */
  static NginxProcess start(Path prefix, Path conf, String globals) throws IOException {
    Files.createDirectories(prefix.resolve("logs"));
    Process p =
        new ProcessBuilder(
                NGINX.toString(),
                "-p",
                prefix + "/",
                "-e",
                prefix.resolve("error.log").toString(),
                "-c",
                conf.toString(),
                "-g",
                "daemon off; " + globals)
            .redirectErrorStream(true)
            .redirectOutput(prefix.resolve("stdout.log").toFile())
            .start();
    return new NginxProcess(p, prefix);
  }

  /** What nginx logged, for a failure message. */
  String errors() {
    try {
      return Files.readString(prefix.resolve("error.log"))
          + Files.readString(prefix.resolve("stdout.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy(); // SIGTERM: nginx's fast shutdown
    process.waitFor();
  }
}
