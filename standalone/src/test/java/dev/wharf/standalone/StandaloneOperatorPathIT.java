package dev.wharf.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.DrainNodeRequest;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.JarProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator does to a running standalone process, done to the real jar: {@code wharfctl
 * drain}, {@code kill -USR1} from logrotate, {@code nohup}, and a Kubernetes ConfigMap update.
 */
class StandaloneOperatorPathIT {
  private static final Path JAR = Path.of("target", "wharf-standalone.jar");
  private static final Path DEMO = Path.of("../deploy/examples/demo.yaml");
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** The Admin API's DrainNode, as {@code wharfctl drain standalone} sends it. */
  @Test
  void aDrainRequestTurnsStandaloneUnreadyThenStopsItsListenersAndEndsTheProcess()
      throws Exception {
    try (StandaloneOnFreePorts run =
        StandaloneOnFreePorts.start(
            2,
            ports -> demoOn(ports.get(0), ports.get(1), "stdout"),
            // The grace is waited out in full (the test checks what happens within it): 10 s is
            // margin enough on a loaded machine for one readiness poll and one GET.
            config -> standalone(config, List.of("--drain-grace", "10s")),
            TIMEOUT,
            dir.resolve("data"))) {
      JarProcess wharf = run.wharf();
      List<Integer> ports = run.ports();
      String home = "http://127.0.0.1:" + ports.get(0) + "/";
      String readyz = "http://" + wharf.awaitLine("admin:", TIMEOUT) + "/readyz";
      String[] api = wharf.awaitLine("admin api:", TIMEOUT).split(":");
      assertEquals(200, get(readyz).statusCode());

      drain(api[0], Integer.parseInt(api[1]), "standalone");

      wharf.awaitLine("drain requested by an operator (wharfctl drain): stopping", TIMEOUT);
      Await.until(TIMEOUT, () -> status(readyz) == 503, wharf::output);
      // Within the grace, as a cluster node: unready, and still serving whoever comes.
      assertEquals("Hello from Wharf. You asked for / from 127.0.0.1.\n", get(home).body());
      assertEquals(0, wharf.awaitExit(TIMEOUT), wharf.output());
      assertTrue(wharf.output().contains("drained in "), wharf.output());
      assertThrows(IOException.class, () -> connect(ports.get(0)));
    }
  }

  @Test
  void sigusr1ReopensTheAccessLogAfterLogrotateMovedItAndTheProcessGoesOn() throws Exception {
    Path log = dir.resolve("access.log");
    try (StandaloneOnFreePorts run =
        StandaloneOnFreePorts.start(
            2,
            ports -> demoOn(ports.get(0), ports.get(1), log.toString()),
            config -> standalone(config, List.of()),
            TIMEOUT,
            dir.resolve("data"),
            log)) {
      JarProcess wharf = run.wharf();
      String home = "http://127.0.0.1:" + run.ports().get(0) + "/";
      assertEquals(200, get(home + "?before").statusCode());
      Await.until(TIMEOUT, () -> read(log).contains("GET /?before "), () -> read(log));
      Path rotated = Files.move(log, dir.resolve("access.log.1"));

      kill("-USR1", wharf);
      wharf.awaitLineContaining("SIGUSR1: reopening 1 access log file(s)", TIMEOUT);
      assertEquals(200, get(home + "?after").statusCode());

      Await.until(TIMEOUT, () -> read(log).contains("GET /?after "), () -> read(log));
      assertFalse(read(rotated).contains("?after"), read(rotated));
      assertTrue(wharf.isAlive(), wharf.output());
      assertEquals(143, wharf.stop(Duration.ofSeconds(20)), wharf.output());
    }
  }

  /** nohup starts Java with SIGHUP ignored; the JVM then leaves it ignored, and says nothing. */
  @Test
  void underNohupStandaloneSaysOnceThatSighupReloadsNothingAndHowToReload() throws Exception {
    try (StandaloneOnFreePorts run =
        StandaloneOnFreePorts.start(
            2,
            ports -> demoOn(ports.get(0), ports.get(1), "stdout"),
            config ->
                JarProcess.startJar(
                    "standalone", dir, JAR, args(config, List.of()), List.of("nohup")),
            TIMEOUT,
            dir.resolve("data"))) {
      JarProcess wharf = run.wharf();
      Path config = run.config();
      wharf.awaitLine("wharf 0.1.0-SNAPSHOT standalone:", TIMEOUT);
      String warning = "SIGHUP cannot be handled in this process";
      assertEquals(1, wharf.countLinesContaining(warning), wharf.output());
      assertTrue(
          wharf
              .output()
              .contains("is watched, so an edit applies by itself, as does wharfctl apply"),
          wharf.output());

      kill("-HUP", wharf);
      Files.writeString(config, Files.readString(config).replace("Hello from", "Edited in"));
      wharf.awaitLine("applied version 2", TIMEOUT);
      assertTrue(wharf.isAlive(), wharf.output());
    }
  }

  /**
   * A ConfigMap mounted at {@code cm/}: {@code cm/wharf.yaml -> ..data/wharf.yaml}, and an update
   * renames a new {@code ..data} symlink over the old one, as the kubelet does.
   */
  @Test
  void aConfigMapUpdateIsCommittedWithoutSighup() throws Exception {
    Path mount = dir.resolve("cm");
    try (StandaloneOnFreePorts run =
        StandaloneOnFreePorts.start(
            2,
            ports -> {
              String demo = Files.readString(demoOn(ports.get(0), ports.get(1), "stdout"));
              Files.createDirectory(mount);
              Path first = Files.createDirectory(mount.resolve("..2026_12_07_01_00_00.1"));
              Files.writeString(first.resolve("wharf.yaml"), demo);
              Files.createSymbolicLink(mount.resolve("..data"), first.getFileName());
              return Files.createSymbolicLink(
                  mount.resolve("wharf.yaml"), Path.of("..data", "wharf.yaml"));
            },
            config -> standalone(config, List.of()),
            TIMEOUT,
            dir.resolve("data"),
            mount)) {
      JarProcess wharf = run.wharf();
      String demo = Files.readString(run.config());
      String home = "http://127.0.0.1:" + run.ports().get(0) + "/";

      Path second = Files.createDirectory(mount.resolve("..2026_12_07_01_05_00.2"));
      Files.writeString(second.resolve("wharf.yaml"), demo.replace("Hello from", "Updated in"));
      Path tmp = Files.createSymbolicLink(mount.resolve("..data_tmp"), second.getFileName());
      Files.move(tmp, mount.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

      wharf.awaitLine("applied version 2", TIMEOUT);
      assertEquals("Updated in Wharf. You asked for / from 127.0.0.1.\n", get(home).body());
      assertEquals(143, wharf.stop(Duration.ofSeconds(20)), wharf.output());
    }
  }

  /**
   * At start nothing serves yet, so there is no "previous one" to keep: the output names the port
   * and why, and that standalone stops. A later version that cannot bind keeps the old wording.
   */
  @Test
  void aListenerThatCannotBindAtStartIsSaidOnceWithoutAPreviousVersion() throws Exception {
    // Held on ports the kernel picked: nothing else can have them, nothing can take them meanwhile.
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config = demoOn(taken.getLocalPort(), echo.getLocalPort(), "stdout");
      CommandRunner.Result r =
          CommandRunner.runJar(TIMEOUT, JAR, args(config, List.of()).toArray(String[]::new));

      assertEquals(1, r.exitCode(), r.toString());
      String all = r.stdout() + r.stderr();
      assertFalse(all.contains("previous one"), all);
      assertFalse(all.contains("still serving version 0"), all);
      assertTrue(
          r.stderr()
              .contains(
                  " cannot be served: listener demo: cannot bind 127.0.0.1:"
                      + taken.getLocalPort()),
          r.stderr());
      assertTrue(
          r.stderr().endsWith("Address already in use; nothing was started, standalone stops\n"),
          r.stderr());
    }
    // Held on a port the kernel picked: nothing can take it between the pick and the bind.
    // A fresh store: the refused start above committed its own config as version 1.
    StandaloneOnFreePorts.deleteTree(dir.resolve("data"));
    try (StandaloneOnFreePorts run =
            StandaloneOnFreePorts.start(
                2,
                ports -> demoOn(ports.get(0), ports.get(1), "stdout"),
                config -> standalone(config, List.of()),
                TIMEOUT,
                dir.resolve("data"));
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      JarProcess wharf = run.wharf();
      Path config = run.config();
      Files.writeString(
          config,
          Files.readString(config)
              .replace("port: " + run.ports().get(0), "port: " + taken.getLocalPort()));

      assertTrue(
          wharf
              .awaitLine("version 2 refused, still serving the previous one:", TIMEOUT)
              .startsWith("listener demo: cannot bind 127.0.0.1:" + taken.getLocalPort()),
          wharf.output());
      assertEquals(143, wharf.stop(Duration.ofSeconds(20)), wharf.output());
    }
  }

  private JarProcess standalone(Path config, List<String> more) throws Exception {
    return JarProcess.startJar("standalone", dir, JAR, args(config, more));
  }

  /** The admin binds port 0: it prints the port it bound ({@code admin: HOST:PORT}). */
  private List<String> args(Path config, List<String> more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--config",
                config.toString(),
                "--data-dir",
                dir.resolve("data").toString(),
                "--admin",
                "127.0.0.1:0",
                "--admin-api",
                "127.0.0.1:0",
                "--workers",
                "1"));
    args.addAll(more);
    return args;
  }

  private Path demoOn(int port, int echoPort, String accessLog) throws Exception {
    Path config = dir.resolve("demo.yaml");
    Files.writeString(
        config,
        Files.readString(DEMO)
            .replace("port: 8080", "port: " + port)
            .replace("8081", Integer.toString(echoPort))
            .replace("path: stdout", "path: " + accessLog));
    return config;
  }

  private static void drain(String host, int port, String node) throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
    try {
      AdminGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .drainNode(DrainNodeRequest.newBuilder().setNodeId(node).build());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static void kill(String signal, JarProcess process) {
    assertEquals(
        0,
        CommandRunner.run(TIMEOUT, List.of("kill", signal, Long.toString(process.pid())))
            .exitCode());
  }

  private static void connect(int port) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.getOutputStream().flush();
    }
  }

  private static int status(String url) {
    try {
      return get(url).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return Http.get(URI.create(url));
  }
}
