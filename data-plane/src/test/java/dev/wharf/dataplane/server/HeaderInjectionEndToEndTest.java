package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request data that decodes to CR, LF or NUL never reaches a header, through a real node: header
 * rules percent-encode it, a redirect refuses it with a logged {@code 400}.
 */
@ExtendWith(NettyLeakExtension.class)
class HeaderInjectionEndToEndTest {
  @TempDir Path dir;
  private TestBackend backend;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    backend = TestBackend.start("b");
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - name: web
            address: 127.0.0.1
            port: %d
            access_log: {path: "%s", encoding: json, fields: [request, status]}
        upstreams:
          - name: app
            endpoints: [{address: "%s"}]
        routes:
          - name: moved
            match: {path: {prefix: /old/}}
            redirect: {location: "https://example.test$uri"}
          - name: rewritten
            match: {path: {prefix: /rw/}}
            proxy: {upstream: app, rewrite: {regex: "^/rw/([^/]*)$", replacement: "/echo?p=$1"}}
          - name: api
            match: {path: {prefix: /api/}}
            proxy: {upstream: app}
            request_headers:
              set: [{name: X-Uri, value: $uri}, {name: X-Copy, value: $http_x_in}]
            response_headers:
              set: [{name: X-Seen, value: "$uri"}]
        """
                    .formatted(ports.next(), dir.resolve("access.json"), backend.endpoint()));
  }

  @AfterEach
  void stop() {
    node.close();
    backend.close();
  }

  private RawHttp.Response send(String raw) throws Exception {
    try (RawHttp http = new RawHttp(node.address("web"))) {
      return http.exchange(raw);
    }
  }

  private static List<String> headerLines(RecordedRequest r) {
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, String> e : r.headers()) {
      lines.add(e.getKey() + ": " + e.getValue());
    }
    return lines;
  }

  @Test
  void anEncodedCrLfInTheUriStaysInsideTheRequestHeaderRule() throws Exception {
    RawHttp.Response r = send("GET /api/a%0d%0aInjected:%20yes HTTP/1.1\r\nHost: a\r\n\r\n");

    assertEquals(200, r.status());
    RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
    assertEquals("/api/a%0d%0aInjected:%20yes", got.uri(), "the target goes as sent");
    assertEquals(
        List.of("Host: a", "X-Uri: /api/a%0D%0AInjected: yes"),
        headerLines(got),
        "exactly these header lines, and no Injected line");
  }

  @Test
  void anEncodedNulInThePathIsRefusedBeforeAnyRuleRuns() throws Exception {
    RawHttp.Response r = send("GET /api/nul%00here HTTP/1.1\r\nHost: a\r\n\r\n");

    assertEquals(400, r.status());
    assertEquals(0, backend.pendingRequests());
  }

  @Test
  void aRawNulInAHeaderCopiedByARuleIsPercentEncodedOrRefused() throws Exception {
    RawHttp.Response r = send("GET /api/raw HTTP/1.1\r\nHost: a\r\nX-In: a\0b\r\n\r\n");

    // The HTTP decoder may refuse the NUL itself; if it lets it through, the rule's copy of it
    // is encoded (the client's own header goes on as the decoder kept it).
    if (r.status() == 200) {
      RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
      assertEquals("a%00b", got.header("X-Copy"), headerLines(got).toString());
    } else {
      assertEquals(400, r.status());
      assertEquals(0, backend.pendingRequests());
    }
  }

  @Test
  void aFoldedHeaderLineCopiedByARuleStaysOneHeader() throws Exception {
    RawHttp.Response r =
        send("GET /api/fold HTTP/1.1\r\nHost: a\r\nX-In: a\r\n" + " Injected: yes\r\n\r\n");

    // Obsolete line folding may be refused (400) or joined with a space (200); either way no
    // line of it becomes a header of its own at the backend.
    if (r.status() == 200) {
      RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
      List<String> lines = headerLines(got);
      assertTrue(
          lines.stream().noneMatch(l -> l.toLowerCase().startsWith("injected")), lines.toString());
      assertEquals(
          lines.stream().filter(l -> l.startsWith("X-In: ")).map(l -> l.substring(6)).toList(),
          lines.stream().filter(l -> l.startsWith("X-Copy: ")).map(l -> l.substring(8)).toList(),
          "the copy is the header as forwarded");
    } else {
      assertEquals(400, r.status());
      assertEquals(0, backend.pendingRequests());
    }
  }

  @Test
  void aResponseHeaderRuleCannotSplitTheResponse() throws Exception {
    RawHttp.Response r = send("GET /api/a%0d%0aSet-Cookie:%20x=1 HTTP/1.1\r\nHost: a\r\n\r\n");

    assertEquals(200, r.status());
    assertEquals("/api/a%0D%0ASet-Cookie: x=1", r.headers().get("x-seen"));
    assertTrue(!r.headers().containsKey("set-cookie"), r.headers().toString());
  }

  @Test
  void aCaptureRewrittenIntoTheQueryCannotSplitTheRequestLine() throws Exception {
    RawHttp.Response r = send("GET /rw/a%0d%0aInjected:%20yes HTTP/1.1\r\nHost: a\r\n\r\n");

    assertEquals(200, r.status());
    RecordedRequest got = backend.takeRequest(Duration.ofSeconds(10));
    assertEquals("/echo?p=a%0D%0AInjected:%20yes", got.uri());
    assertEquals(List.of("Host: a"), headerLines(got));
  }

  @Test
  void aRedirectThatWouldCarryCrLfIsALogged400() throws Exception {
    byte[] raw;
    try (RawHttp http = new RawHttp(node.address("web"))) {
      http.send("GET /old/a%0d%0aInjected:%20yes HTTP/1.1\r\nHost: a\r\n\r\n");
      raw = http.readUntilClosed();
    }
    String text = new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(text.startsWith("HTTP/1.1 400 Bad Request\r\n"), text);
    String head = text.substring(0, text.indexOf("\r\n\r\n") + 2).toLowerCase();
    assertTrue(head.contains("\r\nconnection: close\r\n"), text);
    assertTrue(!head.contains("location") && !head.contains("injected"), text);
    assertTrue(text.endsWith("\r\n\r\n400 Bad Request\n"), text);
    node.close(); // flushes the log

    assertEquals(
        "{\"request\":\"GET /old/a%0d%0aInjected:%20yes HTTP/1.1\",\"status\":\"400\"" + "}\n",
        Files.readString(dir.resolve("access.json")));
  }

  @Test
  void aRedirectWithoutControlCharactersStillRedirects() throws Exception {
    RawHttp.Response r = send("GET /old/a%20b HTTP/1.1\r\nHost: a\r\n\r\n");

    assertEquals(302, r.status());
    assertEquals("https://example.test/old/a b", r.headers().get("location"));
  }
}
