package dev.wharf.dataplane.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.RawH2;
import dev.wharf.dataplane.testing.RecordedRequest;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.dataplane.testing.TestNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node with h2c listeners and a recording backend, for the HTTP/2 attack tests: {@code h2c} has
 * small limits so the defences trigger after few frames; {@code slow} has a 1 s client body
 * timeout.
 */
final class AttackTarget implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final int MAX_CONCURRENT_STREAMS = 4;
  static final int MAX_RESETS = 20;
  static final int MAX_HEADER_LIST_SIZE = 8192;
  static final int STREAM_WINDOW = 8192;

  final TestBackend backend;
  final TestNode node;
  private final AtomicInteger markers = new AtomicInteger();

  private AttackTarget(TestBackend backend, TestNode node) {
    this.backend = backend;
    this.node = node;
  }

  static AttackTarget start() throws Exception {
    TestBackend backend = TestBackend.start("b");
    try {
      TestNode node =
          TestNode.start(
              ports ->
                  """
          listeners:
            - name: h2c
              address: 127.0.0.1
              port: %d
              http2:
                cleartext: true
                max_concurrent_streams: %d
                max_resets: %d
                reset_window: 60s
                max_header_list_size: %d
                initial_stream_window: %d
            - name: slow
              address: 127.0.0.1
              port: %d
              client_body_timeout: 1s
              http2: {cleartext: true}
          upstreams:
            - name: app
              endpoints: [{address: "%s"}]
          routes:
            - name: all
              match: {path: {prefix: /}}
              proxy: {upstream: app}
          """
                      .formatted(
                          ports.next(),
                          MAX_CONCURRENT_STREAMS,
                          MAX_RESETS,
                          MAX_HEADER_LIST_SIZE,
                          STREAM_WINDOW,
                          ports.next(),
                          backend.endpoint()));
      return new AttackTarget(backend, node);
    } catch (Exception | AssertionError e) {
      backend.close();
      throw e;
    }
  }

  InetSocketAddress h2c() {
    return node.address("h2c");
  }

  InetSocketAddress slow() {
    return node.address("slow");
  }

  RawH2 open() throws IOException {
    return RawH2.open(h2c(), WAIT);
  }

  /**
   * Fails when the backend holds a request nobody took: called before each test, it catches one
   * that arrived after the previous test ended (that test's {@link #assertNoLateRequests} missed it
   * only if it came after the marker, which a refused request cannot).
   */
  void assertBackendQueueEmpty(String when) {
    assertEquals(0, backend.pendingRequests(), "requests nobody took " + when);
  }

  /**
   * Fails the calling test when the backend received a request the test did not take: a marker
   * request on a fresh connection must be the next thing the backend sees. Called after each test,
   * so a duplicate or late request fails the test that sent it instead of being discarded.
   */
  void assertNoLateRequests() throws IOException {
    assertEquals(List.of(), requestsBeforeMarker(), "requests the test did not take");
  }

  /**
   * The paths of the complete requests the backend received before a marker request sent now on a
   * fresh connection: what an attack let through (a refused request is refused before it is
   * forwarded, so it cannot arrive after the marker).
   */
  List<String> requestsBeforeMarker() throws IOException {
    return recordedBeforeMarker().stream().map(RecordedRequest::uri).toList();
  }

  /** As {@link #requestsBeforeMarker}, with what each request carried. */
  List<RecordedRequest> recordedBeforeMarker() throws IOException {
    String marker = "/marker-" + markers.incrementAndGet();
    try (RawH2 h2 = open()) {
      h2.write(RawH2.request(1, "GET", marker, true));
      assertEquals(200, h2.awaitStream(1, WAIT).status(), "the marker request");
    }
    List<RecordedRequest> before = new ArrayList<>();
    for (RecordedRequest r = backend.takeRequest(WAIT); ; r = backend.takeRequest(WAIT)) {
      if (r.uri().equals(marker)) {
        return before;
      }
      before.add(r);
    }
  }

  @Override
  public void close() {
    node.close();
    backend.close();
  }
}
