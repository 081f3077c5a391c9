package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend dies under HTTP load behind a real node: clients keep getting 200s from the others
 * (requests in flight on it are retried elsewhere, new ones avoid it once it fails its checks), and
 * it gets traffic again once it is back and passes its checks.
 */
class BackendFailoverIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final int CLIENTS = 4;

  @TempDir Path dir;

  /**
   * Clients sending GETs back to back, recording every outcome. Each takes the backend 100 ms, so a
   * backend always has requests in flight when it dies.
   */
  private static final class Load implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong ok = new AtomicLong();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final Map<String, AtomicLong> byBackend = new ConcurrentHashMap<>();
    final List<Thread> threads = new ArrayList<>();

    Load(int port) {
      URI uri = URI.create("http://127.0.0.1:" + port + "/api/slow?ms=100");
      for (int i = 0; i < CLIENTS; i++) {
        Thread t =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    try {
                      HttpResponse<String> r = Http.get(uri);
                      if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                        String from = r.headers().firstValue("x-backend").orElse("?");
                        byBackend.computeIfAbsent(from, k -> new AtomicLong()).incrementAndGet();
                      } else {
                        failures.add(r.statusCode() + " " + r.body().trim());
                      }
                    } catch (Exception e) {
                      failures.add(e.toString());
                    }
                  }
                },
                "load-" + i);
        threads.add(t);
        t.start();
      }
    }

    long from(String backend) {
      AtomicLong n = byBackend.get(backend);
      return n == null ? 0 : n.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join(BOUND.toMillis());
      }
    }
  }

  @Test
  void requestsKeepSucceedingWhileABackendIsDownAndItReturnsWhenHealthy() throws Exception {
    TestBackend a = TestBackend.start("a");
    int aPort = a.address().getPort();
    try (TestBackend b = TestBackend.start("b");
        TestBackend c = TestBackend.start("c")) {
      String aEndpoint = a.endpoint();
      IntFunction<String> config =
          port ->
              """
          listeners:
            - {name: web, address: 127.0.0.1, port: %d}
          upstreams:
            - name: api
              endpoints: [{address: "%s"}, {address: "%s"}, {address: "%s"}]
              # A dead backend refuses connections: its checks fail at once whatever the
              # timeout. The timeout is for the live ones, which a loaded machine can slow down
              # well past 150 ms (that made them unhealthy too, and requests failed). The
              # timeout may not exceed the interval.
              health_check:
                interval: 1s
                timeout: 1s
                healthy_threshold: 2
                unhealthy_threshold: 2
                http: {path: /status/200}
              outlier_detection: {consecutive_failures: 3, base_ejection_time: 1s}
          routes:
            - {name: api, match: {path: {prefix: /api/}}, proxy: {upstream: api, rewrite: {regex: "^/api(/.*)$", replacement: "$1"}}}
          """
                  .formatted(port, aEndpoint, b.endpoint(), c.endpoint());
      try (FileFedNode node = FileFedNode.startOnFreePort(dir, config, List.of());
          Load load = new Load(node.port())) {
        Await.until(
            BOUND,
            () -> load.from("a") >= 20 && load.from("b") >= 20 && load.from("c") >= 20,
            () -> "warming up: " + load.byBackend);

        a.close(); // its open connections end mid-request, new connects are refused
        long okAtKill = load.ok.get();
        String aHealthy =
            "wharf_endpoint_healthy{endpoint=\"" + a.endpoint() + "\",upstream=\"api\"}";
        Await.until(
            BOUND, () -> metric(node, aHealthy) == 0, () -> "a still healthy\n" + node.output());
        Await.until(BOUND, () -> load.ok.get() >= okAtKill + 200, () -> load.ok + " ok");
        long fromAWhileDown = load.from("a");

        TestBackend back = TestBackend.start("a", aPort);
        try {
          Await.until(
              BOUND,
              () -> load.from("a") > fromAWhileDown,
              () -> "a gets no traffic again: " + load.byBackend + "\n" + node.output());
          assertEquals(1.0, metric(node, aHealthy));
        } finally {
          load.close();
          back.close();
        }
        assertTrue(
            load.failures.isEmpty(),
            load.failures.size()
                + " failed requests, e.g. "
                + load.failures.stream().limit(5).toList());
        assertTrue(load.ok.get() > okAtKill + 200, load.ok + " requests ok");
      }
    } finally {
      a.close();
    }
  }

  private static double metric(FileFedNode node, String series) {
    try {
      return node.metric(series);
    } catch (Exception e) {
      return Double.NaN;
    }
  }
}
