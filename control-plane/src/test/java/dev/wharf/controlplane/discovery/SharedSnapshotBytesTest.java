package dev.wharf.controlplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.proto.discovery.v1.Snapshot;
import dev.wharf.testkit.FakeDiscoveryNode;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A version is encoded once and its bytes shared by every stream ({@link SnapshotPush}): each node
 * must still decode exactly the snapshot it would have got from a message built for it alone.
 */
class SharedSnapshotBytesTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-07T04:00:00Z"), ZoneOffset.UTC);

  private DiscoveryState state;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    DiscoveryCallbacks ignore =
        new DiscoveryCallbacks() {
          @Override
          public void statusChanged(NodeStatus status) {}

          @Override
          public void disconnected(String nodeId) {}
        };
    state =
        new DiscoveryState("cp-a", new SimpleMeterRegistry(), ignore, CLOCK, new AtomicLong()::get);
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                ServerInterceptors.intercept(new DiscoveryService(state), new PeerAddress()))
            .build()
            .start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void everyNodeDecodesThePublishedConfigWithItsOwnNonceOverTcp() throws Exception {
    Config config = config(300);
    state.publish(new VersionedConfig(41, config));
    List<FakeDiscoveryNode> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        nodes.add(new FakeDiscoveryNode(channel).hello("n" + i, 0));
      }
      Set<String> nonces = new HashSet<>();
      for (FakeDiscoveryNode node : nodes) {
        Snapshot push = node.nextPush();
        assertEquals(41, push.getVersion());
        assertEquals(config, push.getConfig());
        nonces.add(push.getNonce());
        node.ack(push);
      }
      assertEquals(5, nonces.size(), "each push has a nonce of its own: " + nonces);

      Config next = config(301);
      state.publish(new VersionedConfig(42, next));
      for (FakeDiscoveryNode node : nodes) {
        Snapshot push = node.nextPush();
        assertEquals(42, push.getVersion());
        assertEquals(next, push.getConfig());
      }
    } finally {
      nodes.forEach(FakeDiscoveryNode::close);
    }
  }

  @Test
  void theSharedEncodingIsByteForByteTheMessageBuiltForOneNode() {
    long[] versions = {1, 127, 128, 1L << 40, Long.MAX_VALUE};
    String[] nonces = {"", "1", "n".repeat(127), "é".repeat(200)};
    Config[] configs = {Config.getDefaultInstance(), config(1), config(2000)};
    for (Config config : configs) {
      for (long version : versions) {
        PublishedSnapshot published = new PublishedSnapshot(version, config);
        for (String nonce : nonces) {
          ControlMessage built =
              ControlMessage.newBuilder()
                  .setSnapshot(
                      Snapshot.newBuilder().setVersion(version).setNonce(nonce).setConfig(config))
                  .build();
          var encoded = SnapshotPush.encode(published, nonce);
          assertEquals(built.toByteString(), encoded, "version " + version + " nonce " + nonce);
        }
      }
    }
  }

  @Test
  void twoPushesOfOneVersionDifferOnlyInTheirNonce() throws Exception {
    PublishedSnapshot published = new PublishedSnapshot(9, config(50));
    ControlMessage a = ControlMessage.parseFrom(SnapshotPush.encode(published, "a-1"));
    ControlMessage b = ControlMessage.parseFrom(SnapshotPush.encode(published, "b-22"));
    assertNotEquals(a, b);
    assertEquals(a.getSnapshot().getConfig(), b.getSnapshot().getConfig());
    assertEquals("b-22", b.getSnapshot().getNonce());
  }

  /** A config with {@code routes} respond routes, so its bytes run to many kilobytes. */
  private static Config config(int routes) {
    StringBuilder yaml =
        new StringBuilder("listeners:\n  - {name: web, address: 127.0.0.1, port: 8080}\nroutes:\n");
    for (int i = 0; i < routes; i++) {
      yaml.append("  - name: r")
          .append(i)
          .append("\n    listeners: [web]\n    match: {path: {prefix: /r")
          .append(i)
          .append("/}}\n    respond: {body: \"route ")
          .append(i)
          .append("\"}\n");
    }
    try {
      return ConfigDocuments.load(yaml.toString(), "test.yaml");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
