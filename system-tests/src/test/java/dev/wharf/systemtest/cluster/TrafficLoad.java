package dev.wharf.systemtest.cluster;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.systemtest.cluster.LocalWharfCluster.Node;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP load on the nodes while a test breaks something else: one client thread per node sending
 * {@code GET /} back to back (each exchange bounded by {@link Http#TIMEOUT}), counting the answers
 * that are 200 and every other outcome (a status, an exception) as a failure, the first 20 of them
 * kept for the failure message.
 */
final class TrafficLoad implements AutoCloseable {
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final ExecutorService threads;
  private final List<Future<?>> clients = new ArrayList<>();

  private TrafficLoad(List<Node> nodes) {
    threads = Executors.newFixedThreadPool(nodes.size());
    for (Node n : nodes) {
      clients.add(threads.submit(() -> load(n)));
    }
  }

  static TrafficLoad start(List<Node> nodes) {
    return new TrafficLoad(nodes);
  }

  private void load(Node n) {
    URI uri = URI.create(n.url());
    while (running.get()) {
      String failure;
      try {
        HttpResponse<String> r = Http.get(uri);
        if (r.statusCode() == 200) {
          served.incrementAndGet();
          continue;
        }
        failure = r.statusCode() + " " + r.body();
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        failure = e.toString();
      }
      failed.incrementAndGet();
      if (failures.size() < 20) {
        failures.add(n.id() + ": " + failure);
      }
    }
  }

  long served() {
    return served.get();
  }

  long failed() {
    return failed.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /** Stops the clients after their exchange in flight (bounded by Http's timeout). */
  @Override
  public void close() throws InterruptedException {
    running.set(false);
    threads.shutdown();
    if (!threads.awaitTermination(Http.TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
      threads.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return served() + " requests served, " + failed() + " failed " + failures();
  }
}
