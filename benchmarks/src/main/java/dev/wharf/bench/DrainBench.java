package dev.wharf.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * How long a node takes to move N WebSockets off an endpoint that a config change removed, and how
 * evenly: two backends behind a real node (the data-plane jar, fed from a file), N WebSockets
 * balanced over them, then the config loses one backend. The clients on it receive 1001 close
 * frames paced by the drain policy; this measures when they arrive.
 *
 * <pre>
 * java -jar wharf-benchmarks.jar drain --node-jar data-plane/target/wharf-data-plane.jar \
 *     [--connections 5000] [--cap 100] [--spread 10s] [--timeout 0s] [--dir DIR] [--node-drain]
 * </pre>
 *
 * <p>With {@code --node-drain} the node is sent SIGTERM instead (grace 0 s, drain timeout 60 s):
 * every WebSocket moves, paced by the same policy within the drain's window.
 *
 * <p>Prints one Markdown table row: connections moved, cap, spread, time from the change to the
 * first and the last close, the busiest second, and closes that were not 1001.
 */
final class DrainBench {
  private static final Duration START = Duration.ofSeconds(60);

  private DrainBench() {}

  /** One client WebSocket that notes when its 1001 (or any close) arrived. */
  private static final class DrainConnection extends LoadConnection {
    private final ConcurrentLinkedQueue<long[]> closes;

    DrainConnection(LoadTracker tracker, ConcurrentLinkedQueue<long[]> closes) {
      super(tracker);
      this.closes = closes;
    }

    @Override
    void onOpen(ChannelHandlerContext ctx) {}

    @Override
    void onData(ChannelHandlerContext ctx, WebSocketFrame frame) {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof CloseWebSocketFrame close) {
        closes.add(new long[] {System.nanoTime(), close.statusCode()});
      }
      super.channelRead(ctx, msg);
    }
  }

  public static void main(String[] args) throws Exception {
    Path nodeJar = null;
    int connections = 5000;
    int cap = 100;
    String spread = "10s";
    String timeout = "0s";
    Path dir = null;
    boolean nodeDrain = false;
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--node-drain" -> {
          nodeDrain = true;
          i--; // a flag without a value
        }
        case "--node-jar" -> nodeJar = Path.of(value);
        case "--connections" -> connections = Integer.parseInt(value);
        case "--cap" -> cap = Integer.parseInt(value);
        case "--spread" -> spread = value;
        case "--timeout" -> timeout = value;
        case "--dir" -> dir = Path.of(value);
        default -> {
          System.err.println(
              "usage: drain --node-jar JAR [--connections N] [--cap N]"
                  + " [--spread DURATION] [--timeout DURATION] [--dir DIR] [--node-drain]");
          System.exit(2);
        }
      }
    }
    if (nodeJar == null || !Files.isRegularFile(nodeJar)) {
      System.err.println("--node-jar: " + nodeJar + " (expected: the data-plane jar)");
      System.exit(2);
    }
    if (dir == null) {
      dir = Files.createTempDirectory("wharf-drain-bench");
    }
    System.out.println(run(nodeJar, dir, connections, cap, spread, timeout, nodeDrain));
  }

  static String run(
      Path nodeJar,
      Path dir,
      int connections,
      int cap,
      String spread,
      String timeout,
      boolean nodeDrain)
      throws Exception {
    try (BenchBackend a = BenchBackend.start(0);
        BenchBackend b = BenchBackend.start(0)) {
      int port = freePort();
      String drain = drainPolicy(cap, spread, timeout);
      Path config = dir.resolve("wharf.yaml");
      Files.writeString(config, config(port, drain, a.port(), b.port()));
      Process node = startNode(nodeJar, config);
      try {
        awaitLine(node, "listening: ");
        ConcurrentLinkedQueue<long[]> closes = new ConcurrentLinkedQueue<>();
        LoadTracker tracker = new LoadTracker(connections, 256);
        try (WsClient client =
            new WsClient(URI.create("ws://127.0.0.1:" + port + "/ws"), 1, Duration.ofSeconds(10))) {
          openAll(client, tracker, connections, closes);
          Change change =
              nodeDrain
                  ? stopNode(node, connections)
                  : removeBackend(dir, config, port, drain, b.port(), connections);
          awaitCloses(closes, change, cap, nodeDrain);
          return row(connections, change.moving(), cap, spread, timeout, change.at(), closes);
        }
      } finally {
        node.destroy();
        if (!node.waitFor(40, TimeUnit.SECONDS)) {
          node.destroyForcibly();
        }
      }
    }
  }

  /**
   * The change that makes WebSockets move.
   *
   * @param moving how many WebSockets it moves
   * @param at {@link System#nanoTime()} when it was made
   */
  private record Change(int moving, long at) {}

  /** The upstream's drain policy, as a line of the YAML config. */
  private static String drainPolicy(int cap, String spread, String timeout) {
    return "drain: {timeout: "
        + timeout
        + ", spread: "
        + spread
        + ", max_closes_per_second: "
        + cap
        + "}";
  }

  /** Starts the data-plane jar on {@code config}, with one worker and no drain grace. */
  private static Process startNode(Path nodeJar, Path config) throws IOException {
    return new ProcessBuilder(
            "java",
            "-jar",
            nodeJar.toString(),
            "--config",
            config.toString(),
            "--admin",
            "127.0.0.1:" + freePort(),
            "--workers",
            "1",
            "--drain-grace",
            "0s",
            "--drain-timeout",
            "60s")
        .redirectErrorStream(true)
        .start();
  }

  /** Opens {@code connections} WebSockets, paced by the tracker, and waits until all are open. */
  private static void openAll(
      WsClient client, LoadTracker tracker, int connections, ConcurrentLinkedQueue<long[]> closes)
      throws InterruptedException {
    for (int i = 0; i < connections; i++) {
      if (!tracker.awaitConnectPermit(Duration.ofSeconds(20))) {
        throw new IllegalStateException("handshakes stalled: " + tracker.firstProblem());
      }
      client.connect(new DrainConnection(tracker, closes));
    }
    tracker.awaitSettled(Duration.ofSeconds(30));
    if (tracker.opened() != connections) {
      throw new IllegalStateException(
          tracker.opened() + " of " + connections + " opened: " + tracker.firstProblem());
    }
  }

  /** Sends the node SIGTERM: every WebSocket moves. */
  private static Change stopNode(Process node, int connections) {
    long changed = System.nanoTime();
    node.destroy(); // SIGTERM
    return new Change(connections, changed);
  }

  /** Replaces the config with one without backend a: the WebSockets on it move. */
  private static Change removeBackend(
      Path dir, Path config, int port, String drain, int bPort, int connections)
      throws IOException {
    int moving = (connections + 1) / 2; // round robin put every other one on a
    Path next = dir.resolve("wharf.yaml.next");
    Files.writeString(next, config(port, drain, -1, bPort));
    long changed = System.nanoTime();
    Files.move(next, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return new Change(moving, changed);
  }

  /** Waits until every moving WebSocket was closed, or the policy's time and a margin passed. */
  private static void awaitCloses(
      ConcurrentLinkedQueue<long[]> closes, Change change, int cap, boolean nodeDrain)
      throws InterruptedException {
    long deadline =
        change.at() + TimeUnit.SECONDS.toNanos(nodeDrain ? 70 : 30 + 2L * change.moving() / cap);
    while (closes.size() < change.moving() && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20); // a benchmark harness waiting, not a test
    }
  }

  private static String config(int port, String drain, int aPort, int bPort) {
    String endpoints =
        (aPort > 0 ? "{address: \"127.0.0.1:" + aPort + "\"}, " : "")
            + "{address: \"127.0.0.1:"
            + bPort
            + "\"}";
    return """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: chat
            endpoints: [%s]
            %s
        routes:
          - {name: ws, match: {path: {prefix: /ws}}, proxy: {upstream: chat}}
        """
        .formatted(port, endpoints, drain);
  }

  private static String row(
      int connections,
      int moving,
      int cap,
      String spread,
      String timeout,
      long changed,
      ConcurrentLinkedQueue<long[]> closes) {
    long[] times = closes.stream().mapToLong(c -> c[0]).sorted().toArray();
    long not1001 = closes.stream().filter(c -> c[1] != 1001).count();
    if (times.length == 0) {
      return "| " + connections + " | " + moving + " | no close arrived |";
    }
    int busiest = 0;
    for (int i = 0, j = 0; i < times.length; i++) {
      while (j < times.length && times[j] - times[i] < TimeUnit.SECONDS.toNanos(1)) {
        j++;
      }
      busiest = Math.max(busiest, j - i);
    }
    return String.format(
        "| %d | %d of %d | %d/s | %s | %s | %.2f s | %.2f s | %d | %d |",
        connections,
        times.length,
        moving,
        cap,
        timeout,
        spread,
        (times[0] - changed) / 1e9,
        (times[times.length - 1] - changed) / 1e9,
        busiest,
        not1001);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void awaitLine(Process p, String prefix) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + START.toNanos();
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith(prefix)) {
        Thread drainOutput =
            new Thread(
                () -> {
                  try {
                    out.lines().forEach(l -> {}); // keep the node's stdout from filling up
                  } catch (UncheckedIOException e) {
                    // the node was stopped
                  }
                },
                "node-output");
        drainOutput.setDaemon(true);
        drainOutput.start();
        return;
      }
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    throw new IllegalStateException("the node did not start listening");
  }
}
