package dev.wharf.dataplane.admin;

import static dev.wharf.dataplane.testing.Http.header;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.node.Transport;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.proto.config.v1.Config;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A real admin server on a loopback port, as Prometheus, a load balancer and curl see it. */
@ExtendWith(NettyLeakExtension.class)
class AdminServerTest {
  private static final Config CONFIG = loadConfig();

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicBoolean ready = new AtomicBoolean();
  private final AtomicReference<AppliedConfig> applied = new AtomicReference<>();
  private AdminServer server;

  private static Config loadConfig() {
    try {
      return ConfigDocuments.load(
          """
          listeners:
            - {name: web, address: 127.0.0.1, port: 8080}
          routes:
            - name: hello
              match: {path: {exact: /hello}}
              respond: {body: hi}
          """,
          "test");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeEach
  void start() throws IOException {
    AdminState state =
        new AdminState() {
          @Override
          public boolean ready() {
            return ready.get();
          }

          @Override
          public AppliedConfig current() {
            return applied.get();
          }
        };
    server =
        AdminServer.start(Transport.best(), new InetSocketAddress("127.0.0.1", 0), registry, state);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build();
    return Http.send(request);
  }

  @Test
  void metricsServesThePrometheusTextOfTheRegistry() throws Exception {
    ProxyMetrics metrics = new ProxyMetrics(registry);
    metrics.requestCompleted("web", "http/1.1", "hello", 200, 1_000_000);
    metrics.webSocketOpened("chat");

    HttpResponse<String> r = send("GET", "/metrics");

    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", header(r, "content-type"));
    assertTrue(
        r.body()
            .lines()
            .anyMatch(
                "wharf_requests_total{listener=\"web\",protocol=\"http/1.1\",route=\"hello\",status=\"200\",status_class=\"2xx\"} 1.0"
                    ::equals),
        r.body());
    assertTrue(
        r.body().lines().anyMatch("wharf_websockets_active{route=\"chat\"} 1.0"::equals), r.body());
    assertTrue(r.body().contains("# TYPE wharf_request_duration_seconds histogram"), r.body());
  }

  @Test
  void healthzIsOkWhetherOrNotTheNodeIsReady() throws Exception {
    HttpResponse<String> r = send("GET", "/healthz");

    assertEquals(200, r.statusCode());
    assertEquals("ok\n", r.body());
    assertEquals("text/plain; charset=utf-8", header(r, "content-type"));
  }

  @Test
  void readyzFollowsTheNodesReadiness() throws Exception {
    HttpResponse<String> before = send("GET", "/readyz");
    ready.set(true);
    HttpResponse<String> after = send("GET", "/readyz");
    ready.set(false);
    HttpResponse<String> draining = send("GET", "/readyz");

    assertEquals(503, before.statusCode());
    assertEquals("not ready\n", before.body());
    assertEquals(200, after.statusCode());
    assertEquals("ready\n", after.body());
    assertEquals(503, draining.statusCode());
  }

  @Test
  void configIsUnavailableUntilOneIsApplied() throws Exception {
    HttpResponse<String> config = send("GET", "/config");
    HttpResponse<String> version = send("GET", "/config/version");

    assertEquals(503, config.statusCode());
    assertEquals("no config\n", config.body());
    assertEquals(503, version.statusCode());
    assertEquals("no config\n", version.body());
  }

  @Test
  void configIsServedAsYamlThatLoadsBackToTheSameConfig() throws Exception {
    applied.set(new AppliedConfig(42, Instant.parse("2026-11-21T10:15:30Z"), CONFIG));

    HttpResponse<String> r = send("GET", "/config");

    assertEquals(200, r.statusCode());
    assertEquals("42", header(r, "x-wharf-config-version"));
    assertEquals("application/yaml; charset=utf-8", header(r, "content-type"));
    assertEquals(ConfigDocuments.toYaml(CONFIG), r.body());
    assertEquals(CONFIG, ConfigDocuments.load(r.body(), "admin"));
  }

  @Test
  void configVersionIsJsonWithTheApplyTime() throws Exception {
    applied.set(new AppliedConfig(42, Instant.parse("2026-11-21T10:15:30Z"), CONFIG));

    HttpResponse<String> r = send("GET", "/config/version");

    assertEquals(200, r.statusCode());
    assertEquals("application/json", header(r, "content-type"));
    assertEquals("{\"version\":42,\"applied_at\":\"2026-11-21T10:15:30Z\"}\n", r.body());
  }

  @Test
  void unknownPathsAre404AndAQueryStringIsIgnored() throws Exception {
    HttpResponse<String> unknown = send("GET", "/metrics/extra");
    HttpResponse<String> withQuery = send("GET", "/healthz?verbose=1");

    assertEquals(404, unknown.statusCode());
    assertEquals("404 Not Found\n", unknown.body());
    assertEquals(200, withQuery.statusCode());
  }

  @Test
  void methodsOtherThanGetAndHeadAre405WithAllow() throws Exception {
    HttpResponse<String> post = send("POST", "/config");
    HttpResponse<String> delete = send("DELETE", "/metrics");

    assertEquals(405, post.statusCode());
    assertEquals("GET, HEAD", header(post, "allow"));
    assertEquals("405 Method Not Allowed\n", post.body());
    assertEquals(405, delete.statusCode());
  }

  @Test
  void headAnswersWithTheGetHeadersAndNoBody() throws Exception {
    ready.set(true);
    new ProxyMetrics(registry).configApplied(7, 1_000_000);
    InetSocketAddress address = server.address();
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response get = http.exchange("GET /readyz HTTP/1.1\r\nHost: admin\r\n\r\n");
      RawHttp.Response head = http.exchange("HEAD /readyz HTTP/1.1\r\nHost: admin\r\n\r\n");
      RawHttp.Response metricsHead = http.exchange("HEAD /metrics HTTP/1.1\r\nHost: admin\r\n\r\n");
      // One connection served all three: the HEAD responses carried no body bytes.
      RawHttp.Response after = http.exchange("GET /healthz HTTP/1.1\r\nHost: admin\r\n\r\n");

      assertEquals(200, head.status());
      assertEquals(get.headers().get("content-length"), head.headers().get("content-length"));
      assertEquals("6", head.headers().get("content-length"));
      assertEquals("", head.body());
      assertEquals(200, metricsHead.status());
      assertEquals(
          registry.scrape().length(),
          Integer.parseInt(metricsHead.headers().get("content-length")));
      assertEquals("ok\n", after.body());
    }
  }

  @Test
  void aRequestThatCannotBeParsedIs400AndClosesTheConnection() throws Exception {
    try (RawHttp http = new RawHttp(server.address())) {
      RawHttp.Response r = http.exchange("GET /healthz HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n");

      assertEquals(400, r.status());
      assertTrue(http.closedByServer());
    }
  }

  @Test
  void anAddressInUseFailsWithTheAddressInTheMessage() {
    InetSocketAddress taken = server.address();
    AdminState state =
        new AdminState() {
          @Override
          public boolean ready() {
            return true;
          }

          @Override
          public AppliedConfig current() {
            return null;
          }
        };

    IOException e =
        assertThrows(
            IOException.class, () -> AdminServer.start(Transport.best(), taken, registry, state));

    assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getPort()), e.getMessage());
  }
}
