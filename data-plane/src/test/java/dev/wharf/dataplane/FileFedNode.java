package dev.wharf.dataplane;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import dev.wharf.testkit.MetricsText;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real node process (the data-plane jar) fed from a config file, as an operator runs one with
 * {@code --config}: each {@link #apply} replaces the file atomically and waits until the node
 * serves the new version, read from its admin port.
 */
final class FileFedNode implements AutoCloseable {
  static final Path JAR = Path.of("target", "wharf-data-plane.jar");
  private static final Duration BOUND = Duration.ofSeconds(30);

  private final Path dir;
  private final Path config;
  private final int adminPort;
  private final JarProcess process;
  private long version;
  private int port;

  private FileFedNode(Path dir, Path config, int adminPort, JarProcess process) {
    this.dir = dir;
    this.config = config;
    this.adminPort = adminPort;
    this.process = process;
  }

  /** Writes {@code yaml} and starts a node with one event loop on it; returns once it listens. */
  static FileFedNode start(Path dir, String yaml, String... extraArgs) throws Exception {
    return start(dir, yaml, List.of(), extraArgs);
  }

  /** As {@link #start(Path, String, String...)}, with more JVM options for the node. */
  static FileFedNode start(Path dir, String yaml, List<String> jvmOptions, String... extraArgs)
      throws Exception {
    Path config = dir.resolve("wharf.yaml");
    Files.writeString(config, yaml);
    List<String> args =
        new ArrayList<>(
            List.of("--config", config.toString(), "--admin", "127.0.0.1:0", "--workers", "1"));
    args.addAll(List.of(extraArgs));
    JarProcess process = JarProcess.startJarWithJvmOptions("node", dir, JAR, jvmOptions, args);
    try {
      String admin = process.awaitLine("admin: ", BOUND);
      FileFedNode node =
          new FileFedNode(
              dir, config, Integer.parseInt(admin.substring(admin.lastIndexOf(':') + 1)), process);
      process.awaitLine("listening: ", BOUND);
      node.version = node.servedVersion();
      return node;
    } catch (RuntimeException | AssertionError e) {
      process.close(); // a node that exited (a port taken) or never answered
      throw e;
    }
  }

  /**
   * As {@link #start(Path, String, List, String...)}, with the config {@code yaml} writes for a
   * fresh listener port ({@link #port}); when the port was taken before the node bound it, the node
   * exits saying so and is started again on another (the validator refuses port 0).
   */
  static FileFedNode startOnFreePort(
      Path dir, IntFunction<String> yaml, List<String> jvmOptions, String... extraArgs)
      throws Exception {
    return FreePorts.retryWhenTaken(
        1,
        ports -> {
          FileFedNode node = start(dir, yaml.apply(ports.get(0)), jvmOptions, extraArgs);
          node.port = ports.get(0);
          return node;
        });
  }

  /** The listener port {@link #startOnFreePort} wrote into the config. */
  int port() {
    return port;
  }

  /** Replaces the config file and waits until the node serves it (the next version). */
  void apply(String yaml) throws IOException {
    Path next = dir.resolve("wharf.yaml.next");
    Files.writeString(next, yaml);
    Files.move(next, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    long expected = version + 1;
    Await.until(
        BOUND,
        () -> servedVersion() == expected,
        () -> "version " + servedVersion() + ", waiting for " + expected + "\n" + process.output());
    version = expected;
  }

  /** The version the node serves, or -1 when its admin port does not answer. */
  long servedVersion() {
    try {
      String body = get("/config/version");
      Matcher m = Pattern.compile("\"version\":(\\d+)").matcher(body);
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  /**
   * The value of one Prometheus sample, e.g. {@code
   * wharf_drain_closes_total{reason="endpoint_removed"}}; NaN when absent.
   */
  double metric(String series) throws IOException, InterruptedException {
    return MetricsText.parse(get("/metrics")).find(series).orElse(Double.NaN);
  }

  private String get(String path) throws IOException, InterruptedException {
    return Http.get(URI.create("http://127.0.0.1:" + adminPort + path)).body();
  }

  String output() {
    return process.output();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
