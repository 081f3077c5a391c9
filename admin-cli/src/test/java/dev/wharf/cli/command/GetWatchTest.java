package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ConfigVersionEvent;
import dev.wharf.proto.admin.v1.NodeEvent;
import dev.wharf.proto.admin.v1.WatchEvent;
import dev.wharf.proto.admin.v1.WatchRequest;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.discovery.v1.NodeStatus;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wharfctl get ... --watch} against an Admin service whose Watch stream sends a scripted
 * sequence of events and then ends, as a replica does when it shuts down.
 */
class GetWatchTest {
  @TempDir Path home;
  private Cli cli;
  private final Script script = new Script();

  @BeforeEach
  void serve() {
    cli = new Cli(home);
    cli.serve("127.0.0.1:9700", script);
  }

  @AfterEach
  void close() {
    cli.close();
  }

  @Test
  void getConfigWatchPrintsALinePerVersion() {
    script.events = List.of(version(3, config("a")), version(4, config("a", "b")));

    Result r = cli.run("get", "config", "--watch");

    assertEquals(0, r.exitCode(), r::toString);
    assertEquals("version 3\nversion 4\n", r.out());
    assertEquals(List.of(WatchRequest.getDefaultInstance()), script.requests);
  }

  @Test
  void getConfigWatchWithYamlPrintsADocumentPerVersion() {
    script.events = List.of(version(3, config("a")), version(4, config("a", "b")));

    Result r = cli.run("get", "config", "--watch", "-o", "yaml");

    assertEquals(0, r.exitCode(), r::toString);
    assertTrue(r.out().startsWith("--- # version 3\n"), r::toString);
    assertTrue(r.out().contains("--- # version 4\n"), r::toString);
    assertEquals(
        3,
        r.out().split("name: b", -1).length + r.out().split("name: a", -1).length - 2,
        r::toString);
    assertTrue(script.requests.get(0).getIncludeConfig());
  }

  @Test
  void getUpstreamsWatchPrintsWhatChangedInEachVersion() {
    script.events =
        List.of(
            version(3, config("a", "b")),
            version(4, config("a", "b")), // nothing of this kind changed: nothing printed
            version(
                5,
                Config.newBuilder()
                    .addUpstreams(upstream("a", 9001))
                    .addUpstreams(upstream("c", 9000))
                    .build()));

    Result r = cli.run("get", "upstreams", "--watch");

    assertEquals(0, r.exitCode(), r::toString);
    assertEquals(
        "3 upstream a present\n3 upstream b present\n5 upstream a updated\n5 upstream c created\n5 upstream b deleted\n",
        r.out());
  }

  @Test
  void getNodesWatchPrintsALinePerNodeChange() {
    script.events =
        List.of(
            version(3, Config.getDefaultInstance()),
            node(
                NodeStatus.newBuilder().setNodeId("edge-1").setReplica("cp-1").setAckedVersion(3),
                false),
            node(
                NodeStatus.newBuilder()
                    .setNodeId("edge-2")
                    .setReplica("cp-1")
                    .setAckedVersion(2)
                    .setLastNackVersion(3)
                    .setLastNackReason("routes[0]: bad"),
                false),
            node(NodeStatus.newBuilder().setNodeId("edge-1"), true));

    Result r = cli.run("get", "nodes", "--watch");

    assertEquals(0, r.exitCode(), r::toString);
    assertEquals(
        "edge-1 version 3 replica cp-1\nedge-2 version 2 replica cp-1 refused 3: routes[0]: bad\nedge-1 removed\n",
        r.out());
    assertTrue(script.requests.get(0).getNodes());
  }

  @Test
  void aWatchRefusedByTheServerExitsWithItsReason() {
    script.error =
        Status.PERMISSION_DENIED.withDescription(
            "wharf.admin.v1.Admin/Watch needs the viewer or admin role");

    Result r = cli.run("get", "config", "--watch");

    assertEquals(3, r.exitCode(), r::toString);
    assertTrue(r.err().contains("needs the viewer or admin role"), r::toString);
  }

  @Test
  void watchTakesNoName() {
    Result r = cli.run("get", "route", "api", "--watch");
    assertEquals(1, r.exitCode(), r::toString);
  }

  private static WatchEvent version(long v, Config c) {
    return WatchEvent.newBuilder()
        .setConfig(ConfigVersionEvent.newBuilder().setVersion(v).setConfig(c))
        .build();
  }

  private static WatchEvent node(NodeStatus.Builder s, boolean removed) {
    return WatchEvent.newBuilder()
        .setNode(NodeEvent.newBuilder().setStatus(s).setRemoved(removed))
        .build();
  }

  private static Config config(String... upstreams) {
    Config.Builder c = Config.newBuilder();
    for (String u : upstreams) {
      c.addUpstreams(upstream(u, 9000));
    }
    return c.build();
  }

  private static Upstream upstream(String name, int port) {
    return Upstream.newBuilder()
        .setName(name)
        .addEndpoints(Endpoint.newBuilder().setAddress("127.0.0.1:" + port))
        .build();
  }

  /** Sends {@link #events} to each watcher, then ends the stream ({@link #error}, or completed). */
  private static final class Script extends AdminGrpc.AdminImplBase {
    volatile List<WatchEvent> events = List.of();
    volatile Status error;
    final List<WatchRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public void watch(WatchRequest request, StreamObserver<WatchEvent> out) {
      requests.add(request);
      if (error != null) {
        out.onError(error.asRuntimeException());
        return;
      }
      events.forEach(out::onNext);
      out.onCompleted();
    }
  }
}
