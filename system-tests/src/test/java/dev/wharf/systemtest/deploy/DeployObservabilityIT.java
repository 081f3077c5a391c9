package dev.wharf.systemtest.deploy;

import static dev.wharf.systemtest.deploy.Deploy.at;
import static dev.wharf.systemtest.deploy.Deploy.list;
import static dev.wharf.systemtest.deploy.Deploy.map;
import static dev.wharf.systemtest.deploy.Deploy.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.WsClient;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdExtension;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import dev.wharf.testkit.MetricsText;
import dev.wharf.testkit.TestCertificates;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard and the alert rules in {@code deploy/observability} ask only for series that exist:
 * a real replica on a real etcd and a real node, both from the jars, are driven with the traffic
 * those series need (plain requests, a 502 from an upstream in panic, an ejection, a WebSocket
 * echoed and closed, health checks), then scraped; every metric name in every PromQL expression
 * must be in the scrapes, with the labels the expression filters or groups by.
 */
class DeployObservabilityIT {
  private static final Path DIR = Deploy.DEPLOY.resolve("observability");
  private static final Duration BOUND = Duration.ofSeconds(60);

  /** Labels Prometheus adds to every series it scrapes, and histograms' bucket bound. */
  private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

  private static final Pattern METRIC = Pattern.compile("\\b(wharf_[a-z0-9_]+)\\b(\\{[^}]*\\})?");
  private static final Pattern MATCHER_LABEL = Pattern.compile("([a-z_]+)\\s*(?:=~|!~|!=|=)");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  @TempDir static Path dir;

  private static TestBackend backend;
  private static JarProcess replica;
  private static JarProcess node;
  private static final List<FreePorts.Refusing> refusing = new ArrayList<>();
  private static int web;

  /** Metric name to the label names its series carry, from both scrapes. */
  private static final Map<String, Set<String>> scraped = new TreeMap<>();

  @BeforeAll
  static void scrapeARealClusterUnderTraffic() throws Exception {
    backend = TestBackend.start("live");
    // Nothing listens on these: held bound, so connections to them are refused all along.
    for (int i = 0; i < 2; i++) {
      refusing.add(FreePorts.refusing());
    }
    List<Integer> dead = refusing.stream().map(FreePorts.Refusing::port).toList();
    // The certificate alerts watch series a node exports for each TLS listener.
    TestCertificates certificate = TestCertificates.create(dir, "edge");
    // The listeners' ports go into the fleet's config: when one was taken before the node bound it
    // (it refuses the version: "address already in use"), both are started again on other ports.
    FreePorts.retryWhenTaken(
        2,
        ports -> {
          Path config = dir.resolve("wharf.yaml");
          Files.writeString(
              config,
              """
              listeners:
                - {name: web, address: 127.0.0.1, port: %1$d}
                - name: secure
                  address: 127.0.0.1
                  port: %5$d
                  tls: {certificates: [{certificate_file: "%6$s", key_file: "%7$s"}]}
              upstreams:
                - name: live
                  endpoints: [{address: "%2$s"}]
                  health_check: {interval: 500ms, timeout: 400ms, http: {path: /status/200}}
                - name: dead
                  endpoints: [{address: "127.0.0.1:%3$d"}]
                  health_check: {interval: 200ms, timeout: 150ms, unhealthy_threshold: 1, tcp: {}}
                - name: flaky
                  endpoints: [{address: "%2$s"}, {address: "127.0.0.1:%4$d"}]
                  outlier_detection: {consecutive_failures: 1}
              routes:
                - {name: api, match: {path: {prefix: /api/}}, proxy: {upstream: live}}
                - {name: dead, match: {path: {prefix: /dead/}}, proxy: {upstream: dead}}
                - {name: flaky, match: {path: {prefix: /flaky/}}, proxy: {upstream: flaky}}
                - {name: ws, match: {path: {prefix: /ws}}, proxy: {upstream: live}}
              """
                  .formatted(
                      ports.get(0),
                      backend.endpoint(),
                      dead.get(0),
                      dead.get(1),
                      ports.get(1),
                      certificate.certificate(),
                      certificate.privateKey()));
          String endpoints =
              String.join(",", etcd.clientEndpoints().stream().map(URI::toString).toList());
          JarProcess replica =
              JarProcess.startJar(
                  "replica",
                  dir,
                  Deploy.CONTROL_PLANE_JAR,
                  List.of(
                      "--listen",
                      "127.0.0.1:0",
                      "--metrics",
                      "127.0.0.1:0",
                      "--etcd",
                      endpoints,
                      "--etcd-prefix",
                      "/wharf-observability-" + UUID.randomUUID(),
                      "--replica-id",
                      "cp-it",
                      "--bootstrap-config",
                      config.toString()));
          JarProcess node;
          try {
            String discovery = replica.awaitLine("discovery:", BOUND);
            node =
                JarProcess.startJar(
                    "node",
                    dir,
                    Deploy.DATA_PLANE_JAR,
                    List.of(
                        "--control-plane",
                        discovery,
                        "--node-id",
                        "node-it",
                        "--workers",
                        "1",
                        "--state-dir",
                        dir.resolve("node").toString(),
                        "--admin",
                        "127.0.0.1:0"));
          } catch (Exception | AssertionError e) {
            replica.close();
            throw e;
          }
          try {
            node.awaitStarted("applied version ", BOUND);
          } catch (Exception | AssertionError e) {
            JarProcess.closeAll(List.of(replica, node));
            throw e;
          }
          DeployObservabilityIT.replica = replica;
          DeployObservabilityIT.node = node;
          web = ports.get(0);
          return null;
        });
    String replicaMetrics = replica.awaitLine("metrics:", BOUND);
    String nodeAdmin = node.awaitLine("admin:", BOUND);
    Await.until(
        BOUND,
        () -> status("http://" + nodeAdmin + "/readyz") == 200,
        () -> "node ready\n" + node.output());

    String site = "http://127.0.0.1:" + web;
    for (int i = 0; i < 3; i++) {
      assertEquals(200, status(site + "/api/x"), "through the live upstream");
    }
    // The dead upstream's only endpoint fails its check: the next request finds it in panic,
    // goes to it anyway and is answered 502 (connection refused).
    Await.until(
        BOUND,
        () ->
            scrape(nodeAdmin)
                .contains(
                    "wharf_endpoint_healthy{endpoint=\"127.0.0.1:"
                        + dead.get(0)
                        + "\",upstream=\"dead\"} 0"),
        () -> "the dead endpoint is seen unhealthy\n" + scrape(nodeAdmin));
    assertEquals(502, status(site + "/dead/x"), "an upstream with no usable endpoint");
    // Round robin sends one of these to the refusing endpoint: ejected, retried on the other.
    for (int i = 0; i < 4; i++) {
      assertEquals(200, status(site + "/flaky/x"), "a refused connect is retried");
    }
    assertEquals("echo", webSocketEcho("ws://127.0.0.1:" + web + "/ws", "echo"));

    Await.until(
        BOUND,
        () -> scrape(nodeAdmin).contains("wharf_websocket_closes_total"),
        () -> "the WebSocket's close is counted\n" + scrape(nodeAdmin));
    readScrape(scrape(nodeAdmin));
    readScrape(scrape(replicaMetrics));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      JarProcess.closeAll(Stream.of(replica, node).filter(Objects::nonNull).toList());
    } finally {
      refusing.forEach(FreePorts.Refusing::close);
      if (backend != null) {
        backend.close();
      }
    }
  }

  @Test
  void everyDashboardQueryAsksForSeriesTheProcessesExport() {
    JsonObject dashboard =
        JsonParser.parseString(Deploy.read(DIR.resolve("wharf-dashboard.json"))).getAsJsonObject();
    Map<String, String> queries = new LinkedHashMap<>();
    for (JsonElement panel : dashboard.getAsJsonArray("panels")) {
      JsonObject p = panel.getAsJsonObject();
      JsonArray targets = p.getAsJsonArray("targets");
      if (targets == null) {
        continue;
      }
      for (JsonElement target : targets) {
        queries.put(
            p.get("title").getAsString()
                + " / "
                + target.getAsJsonObject().get("refId").getAsString(),
            target.getAsJsonObject().get("expr").getAsString());
      }
    }
    assertTrue(queries.size() >= 20, "the dashboard has its panels: " + queries.keySet());
    checkQueries(queries);
  }

  @Test
  void everyAlertRuleAsksForSeriesTheProcessesExport() {
    Map<String, String> queries = new LinkedHashMap<>();
    for (Object group : list(Deploy.yaml(DIR.resolve("alerts.yaml")).get("groups"), "groups")) {
      for (Object rule : list(at(group, "rules"), "rules")) {
        queries.put(string(rule, "alert"), string(rule, "expr"));
        assertTrue(
            map(at(rule, "annotations"), "annotations").containsKey("description"),
            string(rule, "alert") + " says what to do");
      }
    }
    Set<String> used = new TreeSet<>();
    queries.values().forEach(q -> used.addAll(metrics(q).keySet()));
    for (String needed :
        List.of(
            "wharf_discovery_snapshots_total",
            "wharf_config_version",
            "wharf_cp_config_version",
            "wharf_endpoint_healthy",
            "wharf_cp_store_up",
            "wharf_discovery_connected",
            "wharf_node_draining",
            "wharf_drain_pending")) {
      assertTrue(used.contains(needed), "an alert watches " + needed);
    }
    checkQueries(queries);
  }

  private static void checkQueries(Map<String, String> queries) {
    List<String> problems = new ArrayList<>();
    queries.forEach(
        (where, query) -> {
          Map<String, Set<String>> metrics = metrics(query);
          Set<String> labelsOfQuery = new TreeSet<>(TARGET_LABELS);
          for (Map.Entry<String, Set<String>> m : metrics.entrySet()) {
            String name = m.getKey();
            Set<String> labels = scraped.get(name);
            if (labels == null) {
              problems.add(where + ": " + name + " is not exported");
              continue;
            }
            labelsOfQuery.addAll(labels);
            for (String label : m.getValue()) {
              if (!labels.contains(label) && !TARGET_LABELS.contains(label)) {
                problems.add(where + ": " + name + " has no label " + label + " " + labels);
              }
            }
          }
          Matcher g = GROUPING.matcher(query);
          while (g.find()) {
            for (String label : g.group(1).split(",")) {
              if (!label.isBlank() && !labelsOfQuery.contains(label.strip())) {
                problems.add(
                    where
                        + ": groups by "
                        + label.strip()
                        + ", which none of "
                        + metrics.keySet()
                        + " has");
              }
            }
          }
        });
    assertEquals(List.of(), problems, "scraped metrics: " + scraped.keySet());
  }

  /** Metric names in a PromQL expression, each with the label names its selectors match on. */
  private static Map<String, Set<String>> metrics(String query) {
    Map<String, Set<String>> found = new TreeMap<>();
    Matcher m = METRIC.matcher(query);
    while (m.find()) {
      Set<String> labels = found.computeIfAbsent(m.group(1), k -> new TreeSet<>());
      if (m.group(2) != null) {
        Matcher l = MATCHER_LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.add(l.group(1));
        }
      }
    }
    return found;
  }

  private static void readScrape(String text) {
    MetricsText.parse(text)
        .labelNames()
        .forEach(
            (name, labels) -> scraped.computeIfAbsent(name, k -> new TreeSet<>()).addAll(labels));
  }

  private static String scrape(String hostPort) {
    try {
      return Http.get(URI.create("http://" + hostPort + "/metrics")).body();
    } catch (Exception e) {
      throw new AssertionError("scraping " + hostPort + ": " + e, e);
    }
  }

  private static int status(String url) {
    return Http.status(URI.create(url));
  }

  /** Opens a WebSocket, sends {@code text}, returns the echo, closes with 1000. */
  private static String webSocketEcho(String url, String text) throws Exception {
    WsClient ws = WsClient.connect(URI.create(url));
    ws.send(s -> s.sendText(text, true));
    String echoed = (String) ws.nextMessage(Duration.ofSeconds(5));
    ws.send(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
    return echoed;
  }
}
