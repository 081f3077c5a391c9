package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import dev.wharf.testkit.EtcdCluster;
import dev.wharf.testkit.JarProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, defect 6, with real processes: two replica jars on one etcd and the wharfctl jar. A
 * stopped replica (SIGSTOP: its kernel still completes the TCP connect) first in {@code --server}
 * costs seconds, not the whole {@code --timeout}; with etcd stopped, wharfctl blames the store, not
 * the replicas, and exits 5 after the first.
 */
class WharfctlFaultsIT {
  private static final Path WHARFCTL = Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar");
  private static final Duration START = Duration.ofSeconds(60);
  private static final String ADMIN = "admin-" + UUID.randomUUID();

  @TempDir Path dir;
  private final List<AutoCloseable> started = new ArrayList<>();
  private EtcdCluster etcd;

  @AfterEach
  void stopAll() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void aStoppedReplicaFirstIsPassedOverAndAStoppedEtcdIsNamed() throws Exception {
    etcd = EtcdCluster.start(1);
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, "admin " + ADMIN + " alice\n");
    String prefix = "/wharf-" + UUID.randomUUID();
    JarProcess first = startReplica("cp-1", prefix, tokens);
    JarProcess second = startReplica("cp-2", prefix, tokens);
    String servers =
        first.awaitLine("admin api:", START) + "," + second.awaitLine("admin api:", START);

    signal("-STOP", first);
    Result read;
    try {
      // The timeout is long, so that waiting it out on the stopped replica cannot pass for the
      // 2 s the next server is tried after (the JVM's own start is in the bound as well).
      read = wharfctl("get", "routes", "--server", servers, "--timeout", "60s");
    } finally {
      signal("-CONT", first);
    }
    assertEquals(0, read.exitCode(), read.toString());
    assertTrue(read.stderr().isEmpty() || !read.stderr().contains("cannot reach"), read.toString());

    etcd.stopMember(0);
    Path doc = dir.resolve("change.yaml");
    Files.writeString(
        doc,
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: 8080}
        upstreams:
          - name: app
            endpoints: [{address: "127.0.0.1:9"}]
        routes:
          - name: all
            match: {path: {prefix: /}}
            proxy: {upstream: app}
        """);
    Result write = wharfctl("apply", "-f", doc.toString(), "--force", "--server", servers);
    assertEquals(5, write.exitCode(), write.toString());
    assertTrue(
        write
            .stderr()
            .startsWith(
                "error: the control plane at "
                    + servers.split(",")[0]
                    + " answered, but its config store (etcd) is unreachable: "),
        write.toString());
  }

  private Result wharfctl(String... args) {
    long start = System.nanoTime();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                WHARFCTL.toString()));
    command.addAll(List.of(args));
    Result r =
        CommandRunner.run(
            Duration.ofSeconds(40),
            command,
            Map.of(
                "WHARF_TOKEN",
                ADMIN,
                "WHARFCTL_CONFIG",
                dir.resolve("no-wharfctl.yaml").toString()));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(Duration.ofSeconds(30)) < 0, "wharfctl took " + took + ": " + r);
    return r;
  }

  private JarProcess startReplica(String id, String prefix, Path tokens) throws Exception {
    JarProcess replica =
        JarProcess.startJar(
            id,
            dir,
            JarProcess.CONTROL_PLANE_JAR,
            List.of(
                "--listen",
                "127.0.0.1:0",
                "--metrics",
                "127.0.0.1:0",
                "--replica-id",
                id,
                "--etcd",
                etcd.clientEndpoints().stream().map(URI::toString).collect(Collectors.joining(",")),
                "--etcd-prefix",
                prefix,
                "--token-file",
                tokens.toString()));
    started.add(replica);
    return replica;
  }

  private static void signal(String signal, JarProcess process) throws Exception {
    Process kill =
        new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill " + signal + " " + process.pid());
  }
}
