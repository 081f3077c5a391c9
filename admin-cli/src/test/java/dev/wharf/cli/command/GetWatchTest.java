package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ConfigVersionEvent;
import dev.wharf.proto.admin.v1.WatchEvent;
import dev.wharf.proto.admin.v1.WatchRequest;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
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
 * {@code wharfctl get ... --watch} against an Admin service whose Watch stream is scripted, for the
 * two endings a real replica on a real store cannot produce on demand: a stream that ends cleanly
 * (a replica ends its streams with UNAVAILABLE when it shuts down, never with a completion) and a
 * Watch refused outright (a status the test picks, without building the credentials that would earn
 * it). What the stream carries (versions, objects, node statuses) is the store's behaviour and is
 * tested on a real etcd in {@link GetWatchOnEtcdTest}.
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
  void aStreamTheServerEndsCleanlyExitsZeroAfterPrintingEveryVersion() {
    script.events = List.of(version(3, config("a")), version(4, config("a", "b")));

    Result r = cli.run("get", "config", "--watch");

    assertEquals(0, r.exitCode(), r::toString);
    assertEquals("version 3\nversion 4\n", r.out());
    assertEquals(List.of(WatchRequest.getDefaultInstance()), script.requests);
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
