package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.RefusingPorts;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Response header rules with {@code always: false} (nginx's {@code add_header} without {@code
 * always}) reach only 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308 responses, whoever made
 * the response: a local action, the static files, the backend or Wharf in the backend's place.
 * Rules left at the default reach every status.
 */
@ExtendWith(NettyLeakExtension.class)
class ResponseHeaderStatusEndToEndTest {
  @RegisterExtension static final RefusingPorts refusing = RefusingPorts.untilTheClassEnds();

  private static final String RULES =
      "response_headers: {add: [{name: X-Plain, value: p, always: false},"
          + " {name: X-Always, value: a, always: true}, {name: X-Default, value: d}]}";

  @TempDir static Path root;
  private static TestBackend backend;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(root.resolve("page.html"), "<p>page</p>");
    backend = TestBackend.start("b");
    int refused = refusing.port();
    node =
        TestNode.builder()
            .start(
                ports ->
                    """
        listeners:
          - {name: web, address: 127.0.0.1, port: %1$d}
        upstreams:
          - {name: up, endpoints: [{address: "%2$s"}]}
          - {name: gone, endpoints: [{address: "127.0.0.1:%3$d"}]}
        routes:
          - {name: ok, match: {path: {exact: /ok}}, respond: {body: fine}, %4$s}
          - {name: missing, match: {path: {exact: /missing}},
             respond: {status: 404, body: none}, %4$s}
          - {name: moved, match: {path: {exact: /moved}},
             redirect: {status: 301, location: /ok}, %4$s}
          - {name: files, match: {path: {prefix: /files/}},
             static: {alias: "%5$s/"}, %4$s}
          - {name: proxied, match: {path: {prefix: /status/}}, proxy: {upstream: up}, %4$s}
          - {name: down, match: {path: {prefix: /down}}, proxy: {upstream: gone}, %4$s}
        """
                        .formatted(ports.next(), backend.endpoint(), refused, RULES, root));
  }

  @AfterAll
  static void stop() {
    node.close();
    backend.close();
  }

  private static List<Optional<String>> headersOf(String path, int status) throws Exception {
    HttpResponse<String> r = Http.get(node.uri("web", path));
    assertEquals(status, r.statusCode(), path);
    return List.of(
        r.headers().firstValue("X-Plain"),
        r.headers().firstValue("X-Always"),
        r.headers().firstValue("X-Default"));
  }

  private static final List<Optional<String>> ALL =
      List.of(Optional.of("p"), Optional.of("a"), Optional.of("d"));
  private static final List<Optional<String>> ALWAYS_ONLY =
      List.of(Optional.empty(), Optional.of("a"), Optional.of("d"));

  @Test
  void aSuccessOrRedirectGetsEveryRule() throws Exception {
    assertEquals(ALL, headersOf("/ok", 200));
    assertEquals(ALL, headersOf("/files/page.html", 200));
    assertEquals(ALL, headersOf("/status/201", 201));
    assertEquals(ALL, headersOf("/status/307", 307));
  }

  @Test
  void aLocalErrorStatusGetsOnlyTheAlwaysRules() throws Exception {
    assertEquals(ALWAYS_ONLY, headersOf("/missing", 404));
    assertEquals(ALWAYS_ONLY, headersOf("/files/nothing.html", 404));
  }

  @Test
  void aBackendErrorOrOtherStatusGetsOnlyTheAlwaysRules() throws Exception {
    assertEquals(ALWAYS_ONLY, headersOf("/status/500", 500));
    assertEquals(ALWAYS_ONLY, headersOf("/status/203", 203));
  }

  @Test
  void wharfsOwnBadGatewayGetsOnlyTheAlwaysRules() throws Exception {
    assertEquals(ALWAYS_ONLY, headersOf("/down", 502));
  }

  @Test
  void aRedirectGetsEveryRule() throws Exception {
    HttpResponse<String> r = Http.send(Http.request(node.uri("web", "/moved")).build());
    assertEquals(301, r.statusCode());
    assertEquals(Optional.of("p"), r.headers().firstValue("X-Plain"));
  }
}
