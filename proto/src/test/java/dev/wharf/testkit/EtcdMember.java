package dev.wharf.testkit;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One etcd process of an {@link EtcdCluster}: fixed loopback ports, its own directory holding
 * {@code data/} and {@code etcd.log} (stdout and stderr, appended across restarts).
 *
 * <p>Only ever signals the {@link Process} it started itself.
 */
final class EtcdMember {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();
  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
  private static final Duration GRACEFUL_STOP = Duration.ofSeconds(10);

  final String name;
  final int clientPort;
  final int peerPort;
  final Path dir;
  private volatile Process process;

  EtcdMember(String name, int clientPort, int peerPort, Path dir) {
    this.name = name;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.dir = dir;
  }

  URI clientUri() {
    return URI.create("http://127.0.0.1:" + clientPort);
  }

  URI peerUri() {
    return URI.create("http://127.0.0.1:" + peerPort);
  }

  Path logFile() {
    return dir.resolve("etcd.log");
  }

  boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  Optional<ProcessHandle> processHandle() {
    Process p = process;
    return p == null ? Optional.empty() : Optional.of(p.toHandle());
  }

  /**
   * Starts the process (does not wait for it to be healthy). The {@code --initial-*} flags only
   * matter the first time: on a restart etcd finds its data directory and rejoins as before.
   */
  void start(Path binary, String initialCluster, String clusterToken) throws IOException {
    if (isRunning()) {
      throw new IllegalStateException(name + " is already running");
    }
    Files.createDirectories(dir);
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    binary.toString(),
                    "--name",
                    name,
                    "--data-dir",
                    dir.resolve("data").toString(),
                    "--listen-client-urls",
                    clientUri().toString(),
                    "--advertise-client-urls",
                    clientUri().toString(),
                    "--listen-peer-urls",
                    peerUri().toString(),
                    "--initial-advertise-peer-urls",
                    peerUri().toString(),
                    "--initial-cluster",
                    initialCluster,
                    "--initial-cluster-state",
                    "new",
                    "--initial-cluster-token",
                    clusterToken,
                    "--logger",
                    "zap",
                    "--log-outputs",
                    "stderr"))
            .redirectErrorStream(true)
            .redirectOutput(Redirect.appendTo(logFile().toFile()));
    Map<String, String> env = builder.environment();
    // etcd also reads ETCD_* variables and refuses to start when one conflicts with a flag.
    env.keySet().removeIf(key -> key.startsWith("ETCD_"));
    if ("aarch64".equals(System.getProperty("os.arch"))) {
      env.put("ETCD_UNSUPPORTED_ARCH", "arm64"); // etcd 3.4 refuses arm64 without it
    }
    process = builder.start();
  }

  /**
   * Polls {@code GET /health} until it answers {@code "health":"true"} (the member is up and the
   * cluster has a leader).
   *
   * @throws IOException if the process exits or the deadline passes first
   */
  void awaitHealthy(long deadlineNanos) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(clientUri().resolve("/health"))
            .timeout(Duration.ofSeconds(1))
            .GET()
            .build();
    while (true) {
      Process p = process;
      if (p == null || !p.isAlive()) {
        throw new IOException(
            name
                + " exited"
                + (p == null ? "" : " with code " + p.exitValue())
                + " before it was healthy");
      }
      try {
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains("\"health\":\"true\"")) {
          return;
        }
      } catch (IOException notYetListening) {
        // keep polling until the deadline
      }
      if (System.nanoTime() - deadlineNanos > 0) {
        throw new IOException(name + " was not healthy at " + clientUri() + "/health in time");
      }
      Thread.sleep(POLL_INTERVAL.toMillis());
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after 10 s. Returns once the process is gone. */
  void stop() throws InterruptedException {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroy();
    if (!p.waitFor(GRACEFUL_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
    }
  }

  /** SIGKILL. Returns once the process is gone. */
  void kill() throws InterruptedException {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    p.waitFor();
  }

  /** Fire-and-forget SIGKILL, for the JVM shutdown hook. */
  void killNow() {
    Process p = process;
    if (p != null) {
      p.destroyForcibly();
    }
  }

  /** The last {@code lines} lines of this member's log, for failure messages. */
  String logTail(int lines) {
    try {
      String log = Files.readString(logFile(), StandardCharsets.ISO_8859_1); // never malformed
      List<String> all = List.of(log.split("\n"));
      List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
      return "---- last " + tail.size() + " lines of " + logFile() + "\n" + String.join("\n", tail);
    } catch (IOException e) {
      return "---- (no log at " + logFile() + ": " + e + ")";
    }
  }

  @Override
  public String toString() {
    return name + "(client " + clientUri() + ", peer " + peerUri() + ")";
  }
}
