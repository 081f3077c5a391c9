package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.common.Backoff;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.Await;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose hello the control plane refuses with PERMISSION_DENIED (its token is for another
 * node id): it says so as an error naming its node id, keeps serving what it has, and retries with
 * a backoff that keeps growing instead of spinning.
 */
@ExtendWith(NettyLeakExtension.class)
class DiscoveryRefusalTest {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final Duration BASE = Duration.ofMillis(5);
  private static final Duration MAX = Duration.ofMillis(80);
  private static final String REFUSAL =
      "hello claims node id 'edge-a', but this credential is for node ids: edge-b";

  @TempDir Path stateDir;
  private final int port = ServingNode.CONFIGURED_PORT; // the node binds a fresh one

  @Test
  void aRefusedNodeLogsAnErrorWithItsIdKeepsServingAndBacksOff() throws Exception {
    SnapshotFile.in(stateDir)
        .write(
            Snapshot.newBuilder()
                .setVersion(4)
                .setNonce("saved")
                .setConfig(ServingNode.respond(port, "saved version four"))
                .build());
    String name = "refusing-cp-" + UUID.randomUUID();
    AtomicInteger hellos = new AtomicInteger();
    List<Duration> retries = new CopyOnWriteArrayList<>();
    Server refusing =
        InProcessServerBuilder.forName(name)
            .addService(new RefusingControlPlane(hellos))
            .build()
            .start();
    try (ServingNode node = new ServingNode();
        LogCapture log = new LogCapture(DiscoveryClient.class);
        DiscoveryClient client =
            DiscoveryClient.builder()
                .nodeId("edge-a")
                .targets(List.of(name))
                .channelFactory(t -> InProcessChannelBuilder.forName(t).build())
                .sink(node.sink)
                .snapshotFile(SnapshotFile.in(stateDir))
                .backoff(Backoff.exponential(BASE, MAX, new SplittableRandom(11)))
                .events(
                    new DiscoveryEvents() {
                      @Override
                      public void streamEnded(
                          String target, String status, String next, Duration retryIn) {
                        retries.add(retryIn);
                      }
                    })
                .build()) {
      client.start();

      Await.until(BOUND, () -> retries.size() >= 6, () -> "retries: " + retries);

      String first = log.lines().get(0);
      assertEquals(
          "ERROR node edge-a: control plane "
              + name
              + " refused this node: stream "
              + "ended: PERMISSION_DENIED ("
              + REFUSAL
              + "); check --node-id edge-a against the "
              + "node ids its token (or certificate) was issued for; keeps serving version 4, "
              + "trying "
              + name
              + " in "
              + retries.get(0).toMillis()
              + " ms",
          first);
      for (int i = 0; i < 6; i++) {
        long ceiling = Math.min(MAX.toNanos(), BASE.toNanos() << i);
        assertTrue(
            retries.get(i).toNanos() >= ceiling / 2,
            "retry "
                + i
                + " after "
                + retries.get(i)
                + ": a refusal must not reset the backoff; all: "
                + retries);
      }
      assertEquals("saved version four", node.get(), "the node keeps serving what it has");
      assertEquals(4, node.sink.version());
    } finally {
      refusing.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    assertTrue(hellos.get() >= 6, "hellos: " + hellos);
  }

  /** Ends every stream at its hello, as a replica does for a node id its token is not for. */
  private static final class RefusingControlPlane extends DiscoveryGrpc.DiscoveryImplBase {
    private final AtomicInteger hellos;

    RefusingControlPlane(AtomicInteger hellos) {
      this.hellos = hellos;
    }

    @Override
    public StreamObserver<NodeMessage> stream(StreamObserver<ControlMessage> responses) {
      return new StreamObserver<>() {
        @Override
        public void onNext(NodeMessage message) {
          if (message.hasHello()) {
            hellos.incrementAndGet();
            responses.onError(
                Status.PERMISSION_DENIED.withDescription(REFUSAL).asRuntimeException());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
  }
}
