package dev.wharf.dataplane.http2;

import static dev.wharf.dataplane.http2.H2Node.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing, local answers, header rules, the access log and the metrics behave over HTTP/2 as the
 * HTTP/1.1 tests of each feature show them ({@code LocalRoutesEndToEndTest}, {@code
 * HeaderInjectionEndToEndTest}, {@code ProxyEndToEndTest}), seen by curl over TLS and nghttp over
 * h2c; the backend hears HTTP/1.1.
 */
@ExtendWith(NettyLeakExtension.class)
class Http2RoutingParityTest {
  @TempDir static Path dir;
  static TestBackend backend;
  static H2Node h2;
  static PrometheusMeterRegistry registry;

  @BeforeAll
  static void start() throws Exception {
    backend = TestBackend.start("b");
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    String log = dir.resolve("{name}.log").toString();
    h2 =
        H2Node.start(
            dir,
            ", access_log: {path: \""
                + log
                + "\", format: \"$request|$server_protocol|$http2|$status\"}",
            """
        upstreams:
          - name: app
            endpoints: [{address: "%1$s"}]
        routes:
          - name: byhost
            match: {hosts: [api.test], path: {prefix: /}}
            proxy: {upstream: app}
            request_headers: {set: [{name: X-Route, value: byhost}]}
          - name: moved
            match: {path: {regex: "^/old/(.*)$"}}
            redirect: {status: 301, location: "https://$host/new/$1$is_args$args"}
          - name: teapot
            match: {path: {exact: /tea}}
            respond: {status: 418, body: "short and stout $request", content_type: text/x-teapot}
          - name: rewritten
            match: {path: {regex: "^/rw/([^/]*)/(.*)$"}}
            proxy: {upstream: app, rewrite: {regex: "^/rw/([^/]*)/(.*)$", replacement: "/echo/$2?p=$1"}}
          - name: vars
            match: {path: {prefix: /}}
            proxy: {upstream: app}
            request_headers:
              set:
                - {name: X-Vars, value: "$http2|$server_protocol|$scheme|$host|$remote_addr|$request"}
              add: [{name: X-Added, value: "yes"}]
              remove: [X-Drop]
            response_headers:
              set: [{name: X-Seen, value: "$uri $http2"}]
              remove: [x-connection]
        """
                .formatted(backend.endpoint()),
            b -> b.registry(registry));
  }

  @AfterAll
  static void stop() {
    if (h2 != null) {
      h2.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void theAuthorityPicksTheRouteByHost() {
    CommandRunner.Result r = H2Node.nghttp("-H", ":authority: api.test", h2.h2c("/x"));
    assertEquals(0, r.exitCode(), r.toString());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals("byhost", got.header("X-Route"));
    assertEquals("api.test", got.header("Host"));

    CommandRunner.Result other = H2Node.nghttp("-H", ":authority: www.test", h2.h2c("/x"));
    assertEquals(0, other.exitCode(), other.toString());
    assertNull(backend.takeRequest(WAIT).header("X-Route"), "another host takes another route");
  }

  @Test
  void aRegexRewriteCarriesItsCapturesToTheBackend() {
    CommandRunner.Result r =
        h2.curl(
            "--http2", "-w", "|%{http_version} %{http_code}", h2.https("/rw/one/two/three?q=1"));
    assertTrue(r.stdout().endsWith("|2 200"), r.toString());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals("/echo/two/three?p=one&q=1", got.uri());
  }

  @Test
  void aRedirectCarriesRegexGroupsAndTheQuery() {
    CommandRunner.Result r =
        h2.curl(
            "--http2",
            "-o",
            "/dev/null",
            "-w",
            "%{http_version} %{http_code} %{redirect_url}",
            h2.https("/old/docs/intro?lang=en"));
    // $host is the host without the port, as in nginx and on HTTP/1.1
    assertEquals("2 301 https://h2.test/new/docs/intro?lang=en", r.stdout(), r.toString());
  }

  @Test
  void aRespondRouteAnswersWithItsStatusTypeAndVariables() {
    CommandRunner.Result r = H2Node.nghttp("-v", h2.h2c("/tea"));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains(":status: 418"), r.stdout());
    assertTrue(r.stdout().contains("content-type: text/x-teapot"), r.stdout());
    assertTrue(r.stdout().contains("short and stout GET /tea HTTP/2.0"), r.stdout());
    assertEquals(0, backend.pendingRequests());
  }

  @Test
  void headerRulesSeeHttp2VariablesBothWays() {
    CommandRunner.Result r =
        h2.curl("--http2", "-D", "-", "-o", "/dev/null", "-H", "X-Drop: 1", h2.https("/v?a=1"));
    assertEquals(0, r.exitCode(), r.toString());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals("h2|HTTP/2.0|https|h2.test|127.0.0.1|GET /v?a=1 HTTP/2.0", got.header("X-Vars"));
    assertEquals("yes", got.header("X-Added"));
    assertNull(got.header("X-Drop"));
    String head = r.stdout().toLowerCase(java.util.Locale.ROOT);
    assertTrue(head.contains("x-seen: /v h2\r\n"), head);
    assertTrue(head.contains("x-backend: b\r\n"), head);
    assertTrue(!head.contains("x-connection"), head);

    CommandRunner.Result clear = H2Node.nghttp("-v", h2.h2c("/w"));
    assertTrue(clear.stdout().contains("x-seen: /w h2c"), clear.stdout());
    assertEquals(
        "h2c|HTTP/2.0|http|127.0.0.1|127.0.0.1|GET /w HTTP/2.0",
        backend.takeRequest(WAIT).header("X-Vars"));
  }

  @Test
  void cookieFieldsAreJoinedIntoOneCookieHeader() {
    CommandRunner.Result r =
        H2Node.nghttp("-H", "cookie: a=1", "-H", "cookie: b=2", "-H", "cookie: c=3", h2.h2c("/c"));
    assertEquals(0, r.exitCode(), r.toString());
    RecordedRequest got = backend.takeRequest(WAIT);
    assertEquals(List.of("a=1; b=2; c=3"), got.headers().getAll("Cookie"));
  }

  @Test
  void theAccessLogAndTheMetricsNameTheProtocol() {
    CommandRunner.Result r = h2.curl("--http2", "-o", "/dev/null", h2.https("/logged"));
    assertEquals(0, r.exitCode(), r.toString());
    backend.takeRequest(WAIT);
    CommandRunner.Result c = H2Node.nghttp(h2.h2c("/logged-clear"));
    assertEquals(0, c.exitCode(), c.toString());
    backend.takeRequest(WAIT);
    Await.until(
        WAIT,
        () ->
            read("tls.log").contains("GET /logged HTTP/2.0|HTTP/2.0|h2|200\n")
                && read("clear.log").contains("GET /logged-clear HTTP/2.0|HTTP/2.0|h2c|200\n"),
        () -> read("tls.log") + "\n" + read("clear.log"));
    String scrape = registry.scrape();
    assertTrue(
        scrape.contains(
            "wharf_requests_total{listener=\"tls\",protocol=\"h2\",route=\"vars\",status=\"200\",status_class=\"2xx\"}"),
        scrape);
    assertTrue(
        scrape.contains(
            "wharf_requests_total{listener=\"clear\",protocol=\"h2c\",route=\"vars\",status=\"200\",status_class=\"2xx\"}"),
        scrape);
  }

  private static String read(String name) {
    try {
      Path p = dir.resolve(name);
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
