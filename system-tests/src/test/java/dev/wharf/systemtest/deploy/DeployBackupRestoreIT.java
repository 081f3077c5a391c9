package dev.wharf.systemtest.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.EtcdCluster;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup and restore procedures of docs/operations.md, run for real: a cluster's config is
 * saved with {@code etcdctl snapshot save} and with {@code wharfctl get config}; the snapshot,
 * restored into a new etcd, gives a replica the same config at the same version; the document,
 * applied to an empty store, gives the same config.
 */
class DeployBackupRestoreIT {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final String PREFIX = "/wharf";
  private static final Pattern LATEST_VERSION = Pattern.compile("(?m)^(\\d+)\\s");

  @TempDir Path dir;
  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  @Test
  void aSnapshotAndAnExportedDocumentEachRestoreTheConfig() throws Exception {
    Path etcdctl = Deploy.tool("etcdctl", "apt-get install -y etcd-client");
    Path etcdBinary = Deploy.tool("etcd", "apt-get install -y etcd-server");
    EtcdCluster etcd = EtcdCluster.start(1);
    started.add(etcd);
    String endpoint = etcd.clientEndpoint(0).toString();

    Path first = write("first.yaml", "first");
    String original =
        replica(
            "cp-original",
            "--etcd",
            endpoint,
            "--etcd-prefix",
            PREFIX,
            "--bootstrap-config",
            first.toString());
    CommandRunner.Result applied =
        wharfctl(
            "apply",
            "-f",
            write("second.yaml", "second").toString(),
            "--force", // a hand-written document records no version
            "--server",
            original);
    assertEquals(0, applied.exitCode(), applied.toString());
    String exported = ok(wharfctl("get", "config", "--server", original));
    assertTrue(exported.contains("second"), exported);
    String version = latestVersion(original);

    // Backup: etcd's own snapshot, as docs/operations.md says.
    Path snapshot = dir.resolve("wharf.db");
    ok(
        CommandRunner.run(
            BOUND,
            List.of(
                etcdctl.toString(),
                "--endpoints",
                endpoint,
                "snapshot",
                "save",
                snapshot.toString()),
            Map.of("ETCDCTL_API", "3")));

    // Restore 1: the snapshot into a new one-member etcd, and a replica on it.
    // On fresh ports: etcd cannot bind port 0 and say which it got, so when one was taken before it
    // bound (it exits: "bind: address already in use"), it is restored again on others.
    Path restored = dir.resolve("restored");
    String client =
        FreePorts.retryWhenTaken(
            2,
            ports -> {
              String peer = "http://127.0.0.1:" + ports.get(1);
              String url = "http://127.0.0.1:" + ports.get(0);
              startRestoredEtcd(etcdctl, etcdBinary, snapshot, restored, peer, url);
              return url;
            });
    String fromSnapshot = replica("cp-restored", "--etcd", client, "--etcd-prefix", PREFIX);
    assertEquals(
        exported,
        ok(wharfctl("get", "config", "--server", fromSnapshot)),
        "the restored etcd holds the same config");
    assertEquals(
        version,
        latestVersion(fromSnapshot),
        "and the same version, so nodes already on it get no push");

    // Restore 2: the exported document applied to an empty store.
    String empty = replica("cp-empty", "--data-dir", dir.resolve("empty-store").toString());
    Path document = dir.resolve("exported.yaml");
    Files.writeString(document, exported);
    // --force: the document records the original's version, not the empty store's.
    ok(wharfctl("apply", "-f", document.toString(), "--force", "--server", empty));
    assertEquals(
        withoutVersion(exported),
        withoutVersion(ok(wharfctl("get", "config", "--server", empty))),
        "applying the exported document gives the same config");
  }

  /**
   * Restores {@code snapshot} into {@code restored} and starts a one-member etcd on it, healthy.
   * When it exits instead (a port was taken), its data is deleted and this throws with its log, in
   * which {@link FreePorts#isAddressInUse} finds "address already in use".
   */
  private void startRestoredEtcd(
      Path etcdctl, Path etcdBinary, Path snapshot, Path restored, String peer, String client)
      throws Exception {
    ok(
        CommandRunner.run(
            BOUND,
            List.of(
                etcdctl.toString(),
                "snapshot",
                "restore",
                snapshot.toString(),
                "--data-dir",
                restored.toString(),
                "--name",
                "restored",
                "--initial-cluster",
                "restored=" + peer,
                "--initial-advertise-peer-urls",
                peer),
            Map.of("ETCDCTL_API", "3")));
    Path log = dir.resolve("restored-etcd.log");
    Process restoredEtcd =
        new ProcessBuilder(
                etcdBinary.toString(),
                "--name",
                "restored",
                "--data-dir",
                restored.toString(),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                "restored=" + peer)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    started.add(
        () -> {
          restoredEtcd.destroy();
          if (!restoredEtcd.waitFor(10, TimeUnit.SECONDS)) {
            restoredEtcd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        });
    Await.until(
        BOUND,
        () -> !restoredEtcd.isAlive() || healthy(client),
        () -> "the restored etcd is healthy: " + Deploy.read(log));
    if (!restoredEtcd.isAlive()) {
      try (var paths = Files.walk(restored)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
      throw new IllegalStateException("the restored etcd exited: " + Deploy.read(log));
    }
  }

  private static boolean healthy(String client) {
    try {
      return Http.get(URI.create(client + "/health")).body().contains("\"health\":\"true\"");
    } catch (Exception e) {
      return false;
    }
  }

  /** Starts a replica and returns its Admin API address once it serves. */
  private String replica(String name, String... args) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of("--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--replica-id", name));
    all.addAll(List.of(args));
    JarProcess p = JarProcess.startJar(name, dir, Deploy.CONTROL_PLANE_JAR, all);
    started.add(p);
    return p.awaitLine("admin api:", BOUND);
  }

  private Path write(String file, String body) throws Exception {
    Path path = dir.resolve(file);
    Files.writeString(
        path,
        """
        listeners: [{name: web, address: 127.0.0.1, port: 8080}]
        routes: [{name: all, match: {path: {prefix: /}}, respond: {body: "%s"}}]
        """
            .formatted(body));
    return path;
  }

  private String latestVersion(String server) {
    String history = ok(wharfctl("history", "--server", server));
    Matcher m = LATEST_VERSION.matcher(history);
    assertTrue(m.find(), history);
    return m.group(1);
  }

  private CommandRunner.Result wharfctl(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Deploy.ADMIN_CLI_JAR.toString()));
    command.addAll(List.of(args));
    return CommandRunner.run(
        BOUND, command, Map.of("WHARFCTL_CONFIG", dir.resolve("no-contexts.yaml").toString()));
  }

  private static String ok(CommandRunner.Result r) {
    assertEquals(0, r.exitCode(), r.toString());
    return r.stdout();
  }

  /** A document {@code get config} wrote, without the version it records (its first 2 lines). */
  private static String withoutVersion(String document) {
    assertTrue(document.startsWith("metadata:\n  version: "), document);
    return document.substring(document.indexOf('\n', "metadata:\n".length()) + 1);
  }
}
