package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.testkit.FreePorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15 on a real two-loop node: a route regex that makes a backtracking engine take minutes
 * ({@code (.*a){12}} against ten thousand {@code a}s and a {@code !}) is answered at once, and
 * requests on other connections are served meanwhile, because route regexes run in linear time.
 */
@ExtendWith(NettyLeakExtension.class)
class PathologicalRegexEndToEndTest {
  /** Generous for a loaded 2-core machine; java.util.regex takes minutes on this request. */
  private static final Duration BOUND = Duration.ofSeconds(2);

  private static final String PATHOLOGICAL =
      "GET /re/" + "a".repeat(10_000) + "! HTTP/1.1\r\nHost: a\r\n\r\n";

  private static DataPlaneNode node;
  private static InetSocketAddress address;

  @BeforeAll
  static void startNode() throws Exception {
    node = DataPlaneNode.builder().workers(2).build();
    // The validator refuses port 0 for a listener: a port taken meanwhile is retried.
    FreePorts.retryWhenTaken(
        1,
        ports -> {
          node.apply(
              ConfigDocuments.load(
                  """
            listeners:
              - {name: web, address: 127.0.0.1, port: %d, max_uri_length: 16k,
                 max_request_header_size: 32k}
            routes:
              - name: home
                match: {path: {exact: /}}
                respond: {body: home}
              - name: re
                match: {path: {regex: "^/re/(.*a){12}$"}}
                respond: {body: "matched $1"}
            """
                      .formatted(ports.get(0)),
                  "test"));
          return null;
        });
    address = node.address("web");
  }

  @AfterAll
  static void stopNode() {
    node.close();
  }

  @Test
  void aPathologicalPathIsAnsweredWithinTheBoundWhileAnotherConnectionIsServed()
      throws IOException {
    try (RawHttp first = new RawHttp(address);
        RawHttp second = new RawHttp(address);
        RawHttp other = new RawHttp(address)) {
      long start = System.nanoTime();
      // Two at once, so that a backtracking engine would hold both event loops.
      first.send(PATHOLOGICAL);
      second.send(PATHOLOGICAL);
      other.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");

      RawHttp.Response home = other.read(false);
      RawHttp.Response r1 = first.read(false);
      RawHttp.Response r2 = second.read(false);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertEquals(200, home.status());
      assertEquals("home", home.body());
      // The regex does not match (the path ends with '!'), and no other route does.
      assertEquals(404, r1.status());
      assertEquals(404, r2.status());
      assertTrue(took.compareTo(BOUND) < 0, "the pathological requests took " + took);
      System.out.println("PathologicalRegexEndToEndTest: answered in " + took.toMillis() + " ms");
    }
  }

  @Test
  void theSameRouteStillMatchesAndCapturesAsItShould() throws IOException {
    try (RawHttp http = new RawHttp(address)) {
      RawHttp.Response r =
          http.exchange("GET /re/" + "a".repeat(30) + "ba HTTP/1.1\r\nHost: a\r\n\r\n");

      assertEquals(200, r.status());
      assertEquals("matched ba", r.body());
    }
  }
}
