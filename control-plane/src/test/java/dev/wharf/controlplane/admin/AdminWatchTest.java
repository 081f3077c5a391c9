package dev.wharf.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.wharf.controlplane.server.AccessTokens;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.WatchEvent;
import dev.wharf.proto.admin.v1.WatchRequest;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.Await;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Admin API's Watch stream and server reflection, on a real replica over TCP and in-process.
 */
class AdminWatchTest {
  static final String ADMIN = "admin-t0ken-1";
  static final String VIEWER = "viewer-t0ken-1";
  static final String NODE = "node-t0ken-1";
  static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir Path dir;
  private FileConfigStore store;
  private ControlPlaneServer server;
  private ManagedChannel tcp;
  private ManagedChannel local;
  private final String name = "watch-test-" + UUID.randomUUID();

  @BeforeEach
  void start() throws Exception {
    store = FileConfigStore.open(dir, Clock.systemUTC());
    server =
        ControlPlaneServer.builder()
            .store(store)
            .replicaId("cp-watch-test")
            .registry(new SimpleMeterRegistry())
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .inProcess(name)
            .tokens(
                AccessTokens.parse(
                    List.of("admin " + ADMIN, "viewer " + VIEWER, "node " + NODE), "tokens"))
            .watchNodePoll(Duration.ofMillis(50))
            .start();
    tcp = AdminClients.plaintext(server.address());
    local = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    AdminClients.close(tcp);
    AdminClients.close(local);
    server.close();
  }

  @Test
  void aWatcherSeesTheCurrentVersionThenEveryLaterOneInOrder() throws Exception {
    long v0 = commit(1);
    Events events = new Events();
    watcher(VIEWER).watch(WatchRequest.newBuilder().setIncludeConfig(true).build(), events);
    Await.until(BOUND, () -> events.versions().contains(v0), events::toString);

    List<Long> committed = new ArrayList<>();
    for (int i = 2; i <= 6; i++) {
      committed.add(commit(i));
    }
    long last = committed.get(committed.size() - 1);
    Await.until(BOUND, () -> events.versions().contains(last), events::toString);
    List<Long> seen = events.versions();
    assertEquals(v0, seen.get(0));
    assertStrictlyIncreasing(seen);
    WatchEvent lastEvent = events.list.get(events.list.size() - 1);
    assertEquals(
        "u6", lastEvent.getConfig().getConfig().getUpstreams(0).getName(), "the config came along");
  }

  @Test
  void aSlowWatcherGetsTheLatestVersionNotABacklog() {
    long v0 = commit(1);
    List<WatchEvent> received = new CopyOnWriteArrayList<>();
    ClientCall<WatchRequest, WatchEvent> call =
        local.newCall(AdminGrpc.getWatchMethod(), CallOptions.DEFAULT);
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onMessage(WatchEvent message) {
            received.add(message);
          }
        },
        new Metadata());
    call.sendMessage(WatchRequest.newBuilder().setIncludeConfig(true).build());
    call.halfClose();
    call.request(1);
    Await.until(BOUND, () -> received.size() == 1, received::toString);
    assertEquals(v0, received.get(0).getConfig().getVersion());

    // The client reads nothing more while 30 versions are committed.
    long last = 0;
    for (int i = 2; i <= 31; i++) {
      last = commit(i);
    }
    long latest = last;
    Await.until(
        BOUND, () -> server.discovery().latestVersion() == latest, () -> "discovery behind");
    call.request(1000);
    Await.until(
        BOUND,
        () ->
            !received.isEmpty()
                && received.get(received.size() - 1).getConfig().getVersion() == latest,
        received::toString);
    List<Long> versions = received.stream().map(e -> e.getConfig().getVersion()).toList();
    assertStrictlyIncreasing(versions);
    assertTrue(versions.size() < 31, "coalesced, not 31 events: " + versions);
    call.cancel("done", null);
    Await.until(BOUND, () -> openWatches() == 0, () -> openWatches() + " watches open");
  }

  @Test
  void nodeStatusChangesAndRemovalsAreWatched() throws Exception {
    Events events = new Events();
    watcher(VIEWER).watch(WatchRequest.newBuilder().setNodes(true).build(), events);
    store.nodes().put(NodeStatus.newBuilder().setNodeId("edge-1").setReplica("r").build());
    Await.until(BOUND, () -> events.nodes().contains("edge-1 up"), events::toString);
    store
        .nodes()
        .put(
            NodeStatus.newBuilder().setNodeId("edge-1").setReplica("r").setAckedVersion(7).build());
    Await.until(
        BOUND,
        () ->
            events.list.stream()
                .anyMatch(e -> e.hasNode() && e.getNode().getStatus().getAckedVersion() == 7),
        events::toString);
    store.nodes().remove("edge-1");
    Await.until(BOUND, () -> events.nodes().contains("edge-1 removed"), events::toString);
  }

  @Test
  void shutdownEndsEveryWatchWithUnavailable() throws Exception {
    Events events = new Events();
    watcher(ADMIN).watch(WatchRequest.getDefaultInstance(), events);
    Await.until(BOUND, () -> !events.list.isEmpty(), events::toString);
    server.close();
    Status status = Status.fromThrowable(events.end.get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.UNAVAILABLE, status.getCode(), status::toString);
    assertTrue(status.getDescription().contains("shutting down"), status::toString);
  }

  @Test
  void watchingNeedsAViewerOrAdminCredential() throws Exception {
    Events none = new Events();
    watcher(null).watch(WatchRequest.getDefaultInstance(), none);
    assertEquals(
        Status.Code.UNAUTHENTICATED,
        Status.fromThrowable(none.end.get(30, TimeUnit.SECONDS)).getCode());
    Events node = new Events();
    watcher(NODE).watch(WatchRequest.getDefaultInstance(), node);
    assertEquals(
        Status.Code.PERMISSION_DENIED,
        Status.fromThrowable(node.end.get(30, TimeUnit.SECONDS)).getCode());
  }

  @Test
  void reflectionDescribesTheAdminApiToAViewerAndNobodyElse() throws Exception {
    ReflectionAnswers listed =
        reflect(VIEWER, ServerReflectionRequest.newBuilder().setListServices("*").build());
    List<String> services =
        listed.answer().getListServicesResponse().getServiceList().stream()
            .map(s -> s.getName())
            .collect(Collectors.toList());
    assertTrue(services.contains("wharf.admin.v1.Admin"), services::toString);
    assertTrue(services.contains("wharf.discovery.v1.Discovery"), services::toString);

    ReflectionAnswers file =
        reflect(
            VIEWER,
            ServerReflectionRequest.newBuilder()
                .setFileContainingSymbol("wharf.admin.v1.Admin")
                .build());
    List<ByteString> protos =
        file.answer().getFileDescriptorResponse().getFileDescriptorProtoList();
    com.google.protobuf.DescriptorProtos.FileDescriptorProto admin =
        com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(protos.get(0));
    assertEquals("wharf/admin/v1/admin.proto", admin.getName());
    assertTrue(
        admin.getService(0).getMethodList().stream().anyMatch(m -> m.getName().equals("Watch")),
        admin::toString);

    ReflectionAnswers stranger =
        reflect(null, ServerReflectionRequest.newBuilder().setListServices("*").build());
    assertEquals(Status.Code.UNAUTHENTICATED, Status.fromThrowable(stranger.error()).getCode());
  }

  private record ReflectionAnswers(ServerReflectionResponse answer, Throwable error) {}

  private ReflectionAnswers reflect(String token, ServerReflectionRequest request)
      throws Exception {
    CompletableFuture<ReflectionAnswers> out = new CompletableFuture<>();
    ServerReflectionGrpc.ServerReflectionStub stub = ServerReflectionGrpc.newStub(tcp);
    if (token != null) {
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)));
    }
    StreamObserver<ServerReflectionRequest> requests =
        stub.serverReflectionInfo(
            new StreamObserver<>() {
              @Override
              public void onNext(ServerReflectionResponse r) {
                out.complete(new ReflectionAnswers(r, null));
              }

              @Override
              public void onError(Throwable t) {
                out.complete(new ReflectionAnswers(null, t));
              }

              @Override
              public void onCompleted() {}
            });
    requests.onNext(request);
    requests.onCompleted();
    return out.get(30, TimeUnit.SECONDS);
  }

  private AdminGrpc.AdminStub watcher(String token) {
    AdminGrpc.AdminStub stub = AdminGrpc.newStub(tcp);
    return token == null
        ? stub
        : stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)));
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(AdminClients.AUTHORIZATION, "Bearer " + token);
    return headers;
  }

  private int openWatches() {
    return server.watches().open();
  }

  private long commit(int i) {
    try {
      long current = store.read().version();
      Config config =
          Config.newBuilder()
              .addUpstreams(
                  Upstream.newBuilder()
                      .setName("u" + i)
                      .addEndpoints(Endpoint.newBuilder().setAddress("127.0.0.1:" + (9000 + i))))
              .build();
      return store.commit(current, config, "test", "version " + i);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void assertStrictlyIncreasing(List<Long> versions) {
    for (int i = 1; i < versions.size(); i++) {
      assertTrue(versions.get(i) > versions.get(i - 1), "out of order: " + versions);
    }
    assertFalse(versions.isEmpty());
  }

  /** What a watcher received, and how its stream ended. */
  private static final class Events implements StreamObserver<WatchEvent> {
    final List<WatchEvent> list = new CopyOnWriteArrayList<>();
    final CompletableFuture<Throwable> end = new CompletableFuture<>();

    List<Long> versions() {
      return list.stream()
          .filter(WatchEvent::hasConfig)
          .map(e -> e.getConfig().getVersion())
          .toList();
    }

    List<String> nodes() {
      return list.stream()
          .filter(WatchEvent::hasNode)
          .map(
              e ->
                  e.getNode().getStatus().getNodeId()
                      + (e.getNode().getRemoved() ? " removed" : " up"))
          .toList();
    }

    @Override
    public void onNext(WatchEvent e) {
      list.add(e);
    }

    @Override
    public void onError(Throwable t) {
      end.complete(t);
    }

    @Override
    public void onCompleted() {
      end.complete(null);
    }

    @Override
    public String toString() {
      return list.toString();
    }
  }
}
