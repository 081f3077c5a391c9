package dev.wharf.systemtest.cluster;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.CommandRunner.Result;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator's path of issue 19 on the local cluster ({@code deploy/local/cluster.sh}: 3 etcd
 * members, 2 replicas, 3 nodes), with the wharfctl jar as a user runs it: what {@code get} writes
 * carries its version; a partial document merges and loses nothing; a stale document is refused
 * with exit 2 while a change made since keeps being served; {@code edit} goes through a real editor
 * process; {@code rollout --wait} sees it on every node; {@code version}, {@code -o name}, {@code
 * -o jsonpath}, {@code nodes -o json}, {@code history -o yaml} and {@code explain} answer from the
 * real replicas.
 */
final class LocalClusterOperatorPath {
  private static final Path WHARFCTL = Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar");
  private static final Duration COMMAND_BOUND = Duration.ofSeconds(90);
  private static final Duration ROLLOUT_BOUND = Duration.ofSeconds(60);

  private final String server;
  private final String node;
  private final Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * {@code server}: the replicas' Admin addresses (comma-separated); {@code node}: one node's web
   * address; {@code dir}: where documents and the editor script are written.
   */
  LocalClusterOperatorPath(String server, String node, Path dir) {
    this.server = server;
    this.node = node;
    this.dir = dir;
  }

  void check() throws Exception {
    Result version = wharfctl(Map.of(), "version");
    assertEquals(0, version.exitCode(), version.toString());
    assertAll(
        "version names client and server",
        () -> assertTrue(version.stdout().contains("Client Version: "), version.stdout()),
        () -> assertTrue(version.stdout().contains("Server Store:   etcd"), version.stdout()));

    Result names = wharfctl(Map.of(), "get", "routes", "-o", "name");
    assertEquals(0, names.exitCode(), names.toString());
    assertEquals("route/hello\nroute/api\nroute/ws\n", names.stdout());

    // Defect 1: a document of the upstreams alone, applied back, leaves listeners and routes.
    Result upstreams = wharfctl(Map.of(), "get", "upstreams", "-o", "yaml");
    assertEquals(0, upstreams.exitCode(), upstreams.toString());
    assertTrue(upstreams.stdout().startsWith("metadata:"), upstreams.stdout());
    Path partial = write("upstreams.yaml", upstreams.stdout());
    Result merged = wharfctl(Map.of(), "apply", "-f", partial.toString());
    assertEquals(0, merged.exitCode(), merged.toString());
    Result still = wharfctl(Map.of(), "get", "routes", "-o", "name");
    assertEquals("route/hello\nroute/api\nroute/ws\n", still.stdout(), still.toString());
    assertEquals(200, status("/"), "the node still serves after the partial apply");

    // Defect 2: a config read before someone else's edit is refused, and their edit stays.
    Result read = wharfctl(Map.of(), "get", "config", "-o", "yaml");
    assertEquals(0, read.exitCode(), read.toString());
    Path stale = write("stale.yaml", read.stdout());
    Path editor = write("editor.sh", "#!/bin/sh\nsed -i 's/Hello from/Howdy from/' \"$1\"\n");
    Result edited = wharfctl(Map.of("EDITOR", "sh " + editor), "edit", "route", "hello");
    assertEquals(0, edited.exitCode(), edited.toString());
    Result rollout =
        wharfctl(Map.of(), "rollout", "--wait", "--timeout", ROLLOUT_BOUND.toSeconds() + "s");
    assertEquals(0, rollout.exitCode(), rollout.toString());
    assertTrue(rollout.stdout().contains("applied on 3/3 nodes"), rollout.toString());
    Await.until(
        ROLLOUT_BOUND,
        () -> body("/").startsWith("Howdy from"),
        () -> "the node serves the edited route: " + body("/"));
    Result refused = wharfctl(Map.of(), "apply", "-f", stale.toString());
    assertEquals(2, refused.exitCode(), refused.toString());
    assertTrue(refused.stderr().contains("diff"), refused.stderr());
    Result body = wharfctl(Map.of(), "get", "route", "hello", "-o", "jsonpath={.respond.body}");
    assertTrue(body.stdout().startsWith("Howdy from"), body.toString());
    assertTrue(body("/").startsWith("Howdy from"), "the refused apply changed nothing served");

    Result nodes = wharfctl(Map.of(), "nodes", "-o", "json");
    assertEquals(0, nodes.exitCode(), nodes.toString());
    for (String n : List.of("node1", "node2", "node3")) {
      assertTrue(nodes.stdout().contains("\"" + n + "\""), n + " in\n" + nodes.stdout());
    }
    Result history = wharfctl(Map.of(), "history", "-o", "yaml");
    assertEquals(0, history.exitCode(), history.toString());
    assertTrue(history.stdout().contains("version:"), history.stdout());
    Result explain = explain("route.proxy.upstream");
    assertEquals(0, explain.exitCode(), explain.toString());
    assertTrue(explain.stdout().contains("upstream"), explain.stdout());
  }

  private Result wharfctl(Map<String, String> extraEnv, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(WHARFCTL.toString());
    command.addAll(List.of(args));
    command.add("--server");
    command.add(server);
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("WHARFCTL_CONFIG", dir.resolve("no-wharfctl.yaml").toString());
    return CommandRunner.run(COMMAND_BOUND, command, env);
  }

  /** explain needs no server, and takes no --server. */
  private Result explain(String field) {
    return CommandRunner.run(
        COMMAND_BOUND,
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            WHARFCTL.toString(),
            "explain",
            field),
        Map.of("WHARFCTL_CONFIG", dir.resolve("no-wharfctl.yaml").toString()));
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private int status(String path) throws Exception {
    return http.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private String body(String path) {
    try {
      return http.send(request(path), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "(" + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(URI.create("http://" + node + path))
        .timeout(Duration.ofSeconds(5))
        .build();
  }
}
