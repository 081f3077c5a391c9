package dev.wharf.systemtest.migration;

import dev.wharf.testkit.Await;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.MissingTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /** Writes nginx's config for {@code ports} (under {@code prefix}) and returns its path. */
  @FunctionalInterface
  interface ConfWriter {
    Path write(List<Integer> ports) throws Exception;
  }

  /** An nginx listening on the ports its config was written with. */
  record Listening(NginxProcess nginx, List<Integer> ports) {}

  /**
   * Starts nginx on {@code count} fresh ports and waits until it has bound them: its pid file (kept
   * under {@code prefix}) is written only after every listen socket is bound. nginx cannot bind
   * port 0 and say which port it got, so when a port was taken before nginx bound it ("bind() ...
   * failed (98: Address already in use)" in its log) this stops it and starts again on others
   * ({@link FreePorts#retryWhenTaken}).
   */
  static Listening startOnFreePorts(int count, Path prefix, ConfWriter writer, Duration bound)
      throws Exception {
    return FreePorts.retryWhenTaken(
        count,
        ports -> {
          // nginx appends to its error log: a failed attempt's bind errors must not fail this one.
          Files.deleteIfExists(prefix.resolve("error.log"));
          Path conf = writer.write(ports);
          // A config of its own may name the pid file (a seed's does: nginx refuses a second one).
          Optional<Path> named = pidFileOf(conf, prefix);
          Path pid = named.orElse(prefix.resolve("nginx.pid"));
          Files.deleteIfExists(pid);
          NginxProcess nginx = start(prefix, conf, named.isPresent() ? "" : "pid " + pid + ";");
          try {
            Await.until(
                bound,
                () -> Files.exists(pid) || !nginx.process.isAlive() || nginx.bindFailed(),
                nginx::errors);
            if (!Files.exists(pid)) {
              throw new IllegalStateException("nginx did not start: " + nginx.errors());
            }
          } catch (Exception | AssertionError e) {
            nginx.close();
            throw e;
          }
          return new Listening(nginx, ports);
        });
  }

  private static final Pattern PID_DIRECTIVE = Pattern.compile("(?m)^\\s*pid\\s+([^;\\s]+)\\s*;");

  /** The pid file {@code conf} names in its main context, resolved as nginx does against prefix. */
  private static Optional<Path> pidFileOf(Path conf, Path prefix) throws IOException {
    Matcher m = PID_DIRECTIVE.matcher(Files.readString(conf));
    return m.find() ? Optional.of(prefix.resolve(m.group(1))) : Optional.empty();
  }

  private boolean bindFailed() {
    return errors().contains("bind() to ");
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
