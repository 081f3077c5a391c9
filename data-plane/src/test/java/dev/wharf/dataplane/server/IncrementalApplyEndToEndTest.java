package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.upstream.CompiledUpstream;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node applying a changed config compiles only what changed: a changed route takes effect and a
 * removed one is gone at once, while an unchanged upstream carries on as it was (its round robin
 * continues where it stood, rather than starting over at the first endpoint).
 */
@ExtendWith(NettyLeakExtension.class)
class IncrementalApplyEndToEndTest {
  private static final Duration TAKE = Duration.ofSeconds(30);

  private TestBackend a;
  private TestBackend b;
  private TestNode node;
  private int port;

  @BeforeEach
  void start() throws Exception {
    a = TestBackend.start("a");
    b = TestBackend.start("b");
    node =
        TestNode.start(
            ports -> {
              port = ports.next();
              return config("v1", true, a, b);
            });
  }

  @AfterEach
  void stop() {
    node.close();
    a.close();
    b.close();
  }

  /** The config: route {@code api} stamps {@code x-version}; route {@code old} when asked for. */
  private String config(String version, boolean withOld, TestBackend... backends) {
    return """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        upstreams:
          - name: app
            endpoints: [%s]
        routes:
          - name: api
            match: {path: {prefix: /api/}}
            proxy: {upstream: app}
            response_headers: {set: [{name: x-version, value: %s}]}
        %s
          - name: rest
            match: {path: {prefix: /}}
            respond: {status: 200, body: rest}
        """
        .formatted(
            port,
            java.util.Arrays.stream(backends)
                .map(x -> "{address: \"" + x.endpoint() + "\"}")
                .collect(java.util.stream.Collectors.joining(", ")),
            version,
            withOld
                ? "  - {name: old, match: {path: {exact: /old}}, respond: {status: 200, body: old}}"
                : "");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return Http.get(node.uri("web", path));
  }

  @Test
  void aChangedRouteTakesEffectARemovedOneIsGoneAndTheUpstreamCarriesOn() throws Exception {
    HttpResponse<String> first = get("/api/one");
    assertEquals("v1", Http.header(first, "x-version"));
    assertEquals("a", Http.header(first, "x-backend"));
    a.takeRequest(TAKE);
    assertEquals("old", get("/old").body());
    CompiledUpstream before = node.node().snapshot().routes().upstreams().get("app");

    node.apply(config("v2", false, a, b));

    HttpResponse<String> second = get("/api/two");
    assertEquals("v2", Http.header(second, "x-version"), "the changed route serves");
    assertEquals("b", Http.header(second, "x-backend"), "the round robin went on to b");
    assertEquals("/api/two", b.takeRequest(TAKE).uri());
    HttpResponse<String> old = get("/old");
    assertEquals("rest", old.body(), "the removed route is gone: the catch-all answers");
    assertSame(before, node.node().snapshot().routes().upstreams().get("app"));
    a.assertNoUnconsumedRequests();
  }

  @Test
  void aChangedUpstreamIsCompiledAgainAndItsRoutesFollowIt() throws Exception {
    CompiledUpstream before = node.node().snapshot().routes().upstreams().get("app");

    node.apply(config("v1", true, b));

    assertNotSame(before, node.node().snapshot().routes().upstreams().get("app"));
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r = get("/api/" + i);
      assertEquals("b", Http.header(r, "x-backend"), "only b is left");
      assertEquals("/api/" + i, b.takeRequest(TAKE).uri());
    }
    a.assertNoUnconsumedRequests();
  }
}
