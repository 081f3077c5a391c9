package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdCluster;
import dev.wharf.testkit.MetricsText;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharf_cp_store_up} as an operator's Prometheus scrapes it from a replica's {@code
 * /metrics}: 1 while etcd answers, 0 soon after etcd goes away, 1 again once it is back. The alert
 * "the control plane cannot reach etcd" rests on it.
 */
class StoreUpMetricTest {
  private static final Duration BOUND = Duration.ofSeconds(20);
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path dir;
  private EtcdCluster etcd;
  private ControlPlaneServer server;
  private MetricsEndpoint metrics;

  @AfterEach
  void stop() {
    if (metrics != null) {
      metrics.close();
    }
    if (server != null) {
      server.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void storeUpFollowsEtcdGoingAwayAndComingBack() throws Exception {
    // Its own etcd: the test stops the member, which a shared one must never see.
    etcd = EtcdCluster.start(1);
    EtcdConfigStore store =
        EtcdConfigStore.connect(
            EtcdStoreSettings.defaults(etcd.clientEndpoints(), "cp-test")
                .withPrefix("/wharf-store-up")
                // Long enough for a healthy call on a loaded two-core machine; a stopped member
                // refuses connections at once, so the gauge still falls well within BOUND.
                .withCallTimeout(Duration.ofSeconds(5))
                .withRetry(Duration.ofMillis(50), Duration.ofMillis(500)));
    startReplica(store);

    awaitStoreUp(1.0, "etcd runs");
    etcd.stopMember(0);
    awaitStoreUp(0.0, "etcd was stopped");
    etcd.startMember(0);
    awaitStoreUp(1.0, "etcd was started again");
  }

  @Test
  void anEmbeddedStoreIsAlwaysUp() throws Exception {
    startReplica(FileConfigStore.open(dir.resolve("store"), Clock.systemUTC()));
    assertEquals(1.0, storeUp(), "the embedded store is a file: nothing to lose");
  }

  /** Starts a replica on {@code store}, holding one version so that it has something to push. */
  private void startReplica(ConfigStore store) throws Exception {
    store.commit(
        0,
        ConfigDocuments.load(
            """
        listeners: [{name: web, address: 127.0.0.1, port: 8080}]
        routes: [{name: all, match: {path: {prefix: /}}, respond: {body: ok}}]
        """,
            "test.yaml"),
        "test",
        "first");
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    server =
        ControlPlaneServer.builder()
            .store(store)
            .replicaId("cp-test")
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .registry(registry)
            .shutdownGrace(Duration.ofSeconds(1))
            .start();
    metrics = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> true);
  }

  private void awaitStoreUp(double expected, String when) {
    double[] last = {Double.NaN};
    Await.until(
        BOUND,
        () -> {
          last[0] = storeUp();
          return last[0] == expected;
        },
        () -> "wharf_cp_store_up " + expected + " after " + when + "; last scraped " + last[0]);
  }

  /** The gauge's value in a real scrape of {@code /metrics}. */
  private double storeUp() {
    InetSocketAddress a = metrics.address();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPort() + "/metrics"))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
      return MetricsText.parse(body).value("wharf_cp_store_up");
    } catch (IOException e) {
      throw new AssertionError("scraping " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
