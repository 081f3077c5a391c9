package dev.wharf.controlplane;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.util.Version;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs, in one JVM, what the control plane's dependency set must do at run time: jetcd (with its
 * unshaded grpc-netty on Netty 4.2) against a real etcd, and the shaded gRPC transport serving the
 * Discovery service. Netty 4.1 on the classpath compiles fine but breaks the lease keep-alive with
 * {@code NoClassDefFoundError: io/netty/channel/MultiThreadIoEventLoopGroup}.
 */
@Timeout(60)
class RuntimeClasspathTest {

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private static final long CALL_TIMEOUT_SECONDS = 10;

  @Test
  void everyNettyArtifactOnTheClasspathIsTheSame42Release() throws Exception {
    Map<String, Version> netty = Version.identify();
    Set<String> versions =
        netty.values().stream().map(Version::artifactVersion).collect(Collectors.toSet());

    assertEquals(1, versions.size(), "mixed Netty versions: " + netty);
    assertTrue(versions.iterator().next().startsWith("4.2."), "not Netty 4.2: " + netty);
    Class.forName("io.netty.channel.MultiThreadIoEventLoopGroup"); // what Netty 4.1 lacks
  }

  @Test
  void jetcdPutsGetsKeepsALeaseAliveAndWatchesAPrefix() throws Exception {
    try (Client client =
        Client.builder()
            .endpoints(etcd.clientEndpoints().toArray(URI[]::new))
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      KV kv = client.getKVClient();
      kv.put(bytes("/wharf/test/runtime/key"), bytes("v1")).get(CALL_TIMEOUT_SECONDS, SECONDS);
      GetResponse got = kv.get(bytes("/wharf/test/runtime/key")).get(CALL_TIMEOUT_SECONDS, SECONDS);
      assertEquals("v1", got.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8));

      assertLeaseKeepAliveAnswersTwice(client.getLeaseClient());
      assertPrefixWatchSeesAPut(kv, client.getWatchClient(), got.getHeader().getRevision());
    }
  }

  private static void assertLeaseKeepAliveAnswersTwice(Lease leases) throws Exception {
    // TTL 3 s: jetcd sends a keep-alive at once, then every TTL/3.
    long leaseId =
        leases.grant(3, CALL_TIMEOUT_SECONDS, SECONDS).get(CALL_TIMEOUT_SECONDS, SECONDS).getID();
    CountDownLatch twoResponses = new CountDownLatch(2);
    AtomicReference<Throwable> error = new AtomicReference<>();
    StreamObserver<LeaseKeepAliveResponse> observer =
        new StreamObserver<>() {
          @Override
          public void onNext(LeaseKeepAliveResponse response) {
            if (response.getID() == leaseId && response.getTTL() > 0) {
              twoResponses.countDown();
            }
          }

          @Override
          public void onError(Throwable t) {
            error.set(t);
            twoResponses.countDown();
            twoResponses.countDown();
          }

          @Override
          public void onCompleted() {}
        };
    CloseableClient keepAlive = leases.keepAlive(leaseId, observer);
    try {
      assertTrue(twoResponses.await(15, SECONDS), "fewer than 2 keep-alive responses in 15 s");
      assertNull(error.get(), () -> "keep-alive failed: " + error.get());
    } finally {
      keepAlive.close();
    }
    leases.revoke(leaseId).get(CALL_TIMEOUT_SECONDS, SECONDS);
  }

  private static void assertPrefixWatchSeesAPut(KV kv, Watch watches, long lastRevision)
      throws Exception {
    ByteSequence key = bytes("/wharf/test/runtime/watch/a");
    CountDownLatch sawPut = new CountDownLatch(1);
    AtomicReference<Throwable> error = new AtomicReference<>();
    // From the next revision on, so a put racing the watch's creation is not missed.
    WatchOption fromNextRevision =
        WatchOption.builder().isPrefix(true).withRevision(lastRevision + 1).build();
    Watch.Watcher watcher =
        watches.watch(
            bytes("/wharf/test/runtime/watch/"),
            fromNextRevision,
            Watch.listener(
                response -> {
                  for (WatchEvent event : response.getEvents()) {
                    if (event.getEventType() == WatchEvent.EventType.PUT
                        && event.getKeyValue().getKey().equals(key)) {
                      sawPut.countDown();
                    }
                  }
                },
                error::set));
    try {
      kv.put(key, bytes("x")).get(CALL_TIMEOUT_SECONDS, SECONDS);
      assertTrue(
          sawPut.await(CALL_TIMEOUT_SECONDS, SECONDS),
          () -> "no PUT event; watch error: " + error.get());
    } finally {
      watcher.close();
    }
  }

  @Test
  void theShadedGrpcTransportCarriesAHelloToAServiceAndItsAnswerBack() throws Exception {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(new OneSnapshotDiscovery())
            .build()
            .start();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    try {
      CompletableFuture<ControlMessage> firstAnswer = new CompletableFuture<>();
      StreamObserver<NodeMessage> toServer =
          DiscoveryGrpc.newStub(channel).withDeadlineAfter(CALL_TIMEOUT_SECONDS, SECONDS).stream(
              new StreamObserver<ControlMessage>() {
                @Override
                public void onNext(ControlMessage message) {
                  firstAnswer.complete(message);
                }

                @Override
                public void onError(Throwable t) {
                  firstAnswer.completeExceptionally(t);
                }

                @Override
                public void onCompleted() {
                  firstAnswer.completeExceptionally(
                      new IllegalStateException("stream ended without a snapshot"));
                }
              });
      toServer.onNext(
          NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId("node-1")).build());

      ControlMessage answer = firstAnswer.get(CALL_TIMEOUT_SECONDS, SECONDS);
      toServer.onCompleted();

      assertTrue(answer.hasSnapshot(), answer.toString());
      assertEquals(42, answer.getSnapshot().getVersion());
      assertEquals("nonce-for-node-1", answer.getSnapshot().getNonce());
    } finally {
      channel.shutdownNow().awaitTermination(5, SECONDS);
      server.shutdownNow().awaitTermination(5, SECONDS);
    }
  }

  /** Answers every Hello with one Snapshot (version 42) and ends the stream when the node does. */
  private static final class OneSnapshotDiscovery extends DiscoveryGrpc.DiscoveryImplBase {
    @Override
    public StreamObserver<NodeMessage> stream(StreamObserver<ControlMessage> toNode) {
      return new StreamObserver<>() {
        @Override
        public void onNext(NodeMessage message) {
          if (message.hasHello()) {
            toNode.onNext(
                ControlMessage.newBuilder()
                    .setSnapshot(
                        Snapshot.newBuilder()
                            .setVersion(42)
                            .setNonce("nonce-for-" + message.getHello().getNodeId()))
                    .build());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          toNode.onCompleted();
        }
      };
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
