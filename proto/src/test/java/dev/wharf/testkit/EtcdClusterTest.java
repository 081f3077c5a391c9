package dev.wharf.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Proves the etcd fixture against real etcd processes, through etcd's v3 HTTP/JSON gateway. */
@Timeout(120)
class EtcdClusterTest {

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @Test
  void singleMemberIsHealthyAndReturnsWhatWasPutThroughTheJsonGateway() throws Exception {
    URI endpoint = etcd.clientEndpoints().get(0);
    assertEquals(1, etcd.clientEndpoints().size());
    assertEquals("127.0.0.1", endpoint.getHost());

    HttpResponse<String> health =
        HTTP.send(
            HttpRequest.newBuilder(endpoint.resolve("/health"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, health.statusCode());
    assertTrue(health.body().contains("\"health\":\"true\""), health.body());

    put(endpoint, "/wharf/test/greeting", "hello etcd");
    assertEquals(Optional.of("hello etcd"), get(endpoint, "/wharf/test/greeting"));
    assertEquals(Optional.empty(), get(endpoint, "/wharf/test/absent"));
  }

  @Test
  void threeMemberClusterStillAcceptsWritesWithOneMemberStopped() throws Exception {
    try (EtcdCluster cluster = EtcdCluster.start(3)) {
      int stopped = leaderIndex(cluster); // the hardest member to lose
      int other = (stopped + 1) % 3;
      URI stoppedEndpoint = cluster.clientEndpoint(stopped);

      cluster.stopMember(stopped);

      assertFalse(cluster.isRunning(stopped));
      assertFalse(answers(stoppedEndpoint), stoppedEndpoint + " still accepts connections");
      putWithRetry(cluster.clientEndpoint(other), "/wharf/test/failover", "written by 2 of 3");
      assertEquals(
          Optional.of("written by 2 of 3"),
          get(cluster.clientEndpoint((stopped + 2) % 3), "/wharf/test/failover"));
    }
  }

  @Test
  void killedMemberRejoinsOnRestartAndSeesWritesMadeWhileItWasDown() throws Exception {
    try (EtcdCluster cluster = EtcdCluster.start(3)) {
      long oldPid = cluster.process(1).orElseThrow().pid();

      cluster.killMember(1);
      assertFalse(cluster.isRunning(1));
      putWithRetry(cluster.clientEndpoint(0), "/wharf/test/while-down", "missed it");

      cluster.startMember(1);

      assertTrue(cluster.isRunning(1));
      assertTrue(cluster.process(1).orElseThrow().pid() != oldPid);
      assertEquals(
          Optional.of("missed it"), get(cluster.clientEndpoint(1), "/wharf/test/while-down"));
    }
  }

  @Test
  void closeLeavesNoEtcdProcessAliveAndDeletesTheDirectory() {
    EtcdCluster cluster = EtcdCluster.start(3);
    Path directory = cluster.directory();
    List<ProcessHandle> processes =
        IntStream.range(0, cluster.size())
            .mapToObj(i -> cluster.process(i).orElseThrow())
            .collect(Collectors.toList());
    assertTrue(processes.stream().allMatch(ProcessHandle::isAlive));
    List<URI> endpoints = cluster.clientEndpoints();

    cluster.close();
    cluster.close(); // idempotent

    assertTrue(processes.stream().noneMatch(ProcessHandle::isAlive), "an etcd survived close()");
    assertTrue(
        ProcessHandle.allProcesses()
            .noneMatch(
                p ->
                    p.info()
                        .commandLine()
                        .map(line -> line.contains(directory.toString()))
                        .orElse(false)),
        "a process still uses " + directory);
    assertTrue(endpoints.stream().noneMatch(EtcdClusterTest::answers));
    assertFalse(Files.exists(directory), directory + " was not deleted");
    assertThrows(IllegalStateException.class, () -> cluster.startMember(0));
  }

  // ---- etcd v3 JSON gateway: keys and values are base64, 64-bit integers are strings.

  private static void put(URI endpoint, String key, String value)
      throws IOException, InterruptedException {
    JsonObject body = new JsonObject();
    body.addProperty("key", base64(key));
    body.addProperty("value", base64(value));
    post(endpoint, "/v3/kv/put", body);
  }

  /** Retries for up to 10 s: a member may answer "no leader" while a new leader is elected. */
  private static void putWithRetry(URI endpoint, String key, String value) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      try {
        put(endpoint, key, value);
        return;
      } catch (IOException e) {
        if (System.nanoTime() - deadline > 0) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static Optional<String> get(URI endpoint, String key)
      throws IOException, InterruptedException {
    JsonObject body = new JsonObject();
    body.addProperty("key", base64(key));
    JsonArray kvs = post(endpoint, "/v3/kv/range", body).getAsJsonArray("kvs");
    if (kvs == null || kvs.isEmpty()) {
      return Optional.empty();
    }
    String value = kvs.get(0).getAsJsonObject().get("value").getAsString();
    return Optional.of(new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
  }

  private static int leaderIndex(EtcdCluster cluster) throws IOException, InterruptedException {
    for (int i = 0; i < cluster.size(); i++) {
      JsonObject status =
          post(cluster.clientEndpoint(i), "/v3/maintenance/status", new JsonObject());
      String self = status.getAsJsonObject("header").get("member_id").getAsString();
      if (self.equals(status.get("leader").getAsString())) {
        return i;
      }
    }
    throw new AssertionError("no member reports itself as leader");
  }

  private static JsonObject post(URI endpoint, String path, JsonObject body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint.resolve(path))
            .timeout(Duration.ofSeconds(5))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "POST " + path + " -> HTTP " + response.statusCode() + ": " + response.body());
    }
    return JsonParser.parseString(response.body()).getAsJsonObject();
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean answers(URI endpoint) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
