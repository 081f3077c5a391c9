package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.wharf.config.DocumentLimits;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.admin.v1.GetConfigResponse;
import dev.wharf.proto.admin.v1.GetEndpointHealthResponse;
import dev.wharf.proto.admin.v1.GetObjectResponse;
import dev.wharf.proto.admin.v1.ListHistoryResponse;
import dev.wharf.proto.admin.v1.ListNodesResponse;
import dev.wharf.proto.admin.v1.ListObjectsResponse;
import dev.wharf.proto.admin.v1.RetryRolloutResponse;
import dev.wharf.proto.admin.v1.RolloutStatus;
import dev.wharf.proto.admin.v1.WriteResponse;
import dev.wharf.testkit.EtcdExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Admin API's HTTP/JSON face, driven by real {@code curl} processes against a real replica on a
 * real etcd: every path and method, and every refusal with its status and JSON body.
 */
class AdminHttpTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  static final String ADMIN = "admin-t0ken-1";
  static final String VIEWER = "viewer-t0ken-1";
  static final String NODE = "node-t0ken-1";

  static final String UPSTREAM = "{\"endpoints\":[{\"address\":\"127.0.0.1:9000\"}]}";
  static final String ROUTE =
      "{\"match\":{\"path\":{\"prefix\":\"/api\"}},\"proxy\":{\"upstream\":\"backend\"}}";

  private ControlPlaneServer server;
  private Curl curl;

  @BeforeEach
  void start() throws Exception {
    server = replica(Duration.ofSeconds(5));
    curl = new Curl(server.adminHttpAddress());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static ControlPlaneServer replica(Duration callTimeout) throws Exception {
    EtcdConfigStore store =
        EtcdConfigStore.connect(
            EtcdStoreSettings.defaults(etcd.clientEndpoints(), "cp-http-test")
                .withPrefix("/admin-http-test-" + UUID.randomUUID())
                .withCallTimeout(callTimeout));
    try {
      return ControlPlaneServer.builder()
          .store(store)
          .replicaId("cp-http-test")
          .registry(new SimpleMeterRegistry())
          .listen(new InetSocketAddress("127.0.0.1", 0))
          .adminHttp(new InetSocketAddress("127.0.0.1", 0))
          .tokens(
              AccessTokens.parse(
                  List.of(
                      "admin " + ADMIN + " alice", "viewer " + VIEWER + " grafana", "node " + NODE),
                  "test tokens"))
          .start();
    } catch (Exception | Error e) {
      store.close();
      throw e;
    }
  }

  /**
   * A client that sends all of an oversized body before it reads gets its 413. The endpoint answers
   * before reading the body; the server then drops what is left instead of closing on unread bytes,
   * which resets the connection and loses the answer.
   */
  @Test
  void aClientThatSendsItsWholeOversizedBodyFirstStillReadsThe413() throws Exception {
    byte[] body = new byte[DocumentLimits.MAX_BYTES + 1];
    java.util.Arrays.fill(body, (byte) ' ');
    InetSocketAddress address = server.adminHttpAddress();
    try (java.net.Socket socket = new java.net.Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout(30_000);
      java.io.OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1:apply HTTP/1.1\r\nHost: wharf\r\nAuthorization: Bearer "
                  + ADMIN
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 413", head);
    }
    assertEquals("\"0\"", curl.get("/v1/config", VIEWER).header("ETag"), "nothing written");
  }

  @Test
  void objectsArePutReadListedAndDeletedWithTheVersionAsETag() {
    Curl.Response config = curl.get("/v1/config", VIEWER);
    assertEquals(200, config.status(), config::toString);
    assertEquals("\"0\"", config.header("ETag"));
    assertTrue(config.header("Content-Type").startsWith("application/json"), config::toString);

    Curl.Response put =
        curl.send("PUT", "/v1/upstreams/backend", ADMIN, UPSTREAM, "-H", "If-Match: \"0\"");
    assertEquals(200, put.status(), put::toString);
    long v1 = put.json(WriteResponse.newBuilder()).getVersion();
    assertTrue(v1 > 0, put::toString);
    assertEquals("\"" + v1 + "\"", put.header("ETag"));
    assertEquals("backend", put.json(WriteResponse.newBuilder()).getChanges(0).getName());

    Curl.Response route = curl.send("PUT", "/v1/routes/api?expected_version=" + v1, ADMIN, ROUTE);
    long v2 = route.json(WriteResponse.newBuilder()).getVersion();
    assertTrue(v2 > v1, route::toString);

    Curl.Response got = curl.get("/v1/routes/api", VIEWER);
    assertEquals(200, got.status(), got::toString);
    assertEquals("\"" + v2 + "\"", got.header("ETag"));
    GetObjectResponse object = got.json(GetObjectResponse.newBuilder()).build();
    assertEquals("api", object.getObject().getRoute().getName());
    assertEquals("backend", object.getObject().getRoute().getProxy().getUpstream());

    ListObjectsResponse list =
        curl.get("/v1/upstreams", VIEWER).json(ListObjectsResponse.newBuilder()).build();
    assertEquals(v2, list.getVersion());
    assertEquals("backend", list.getObjects(0).getUpstream().getName());
    assertEquals(
        0,
        curl.get("/v1/listeners", VIEWER).json(ListObjectsResponse.newBuilder()).getObjectsCount());

    // The last route goes only when the caller says that an empty route list is meant.
    Curl.Response refused = curl.call("DELETE", "/v1/routes/api", ADMIN, "-H", "If-Match: " + v2);
    assertEquals(400, refused.status(), refused::toString);
    assertTrue(refused.body().contains("allow_empty"), refused::toString);
    Curl.Response deleted =
        curl.call("DELETE", "/v1/routes/api?allow_empty=true", ADMIN, "-H", "If-Match: " + v2);
    assertEquals(200, deleted.status(), deleted::toString);
    GetConfigResponse after =
        curl.get("/v1/config", ADMIN).json(GetConfigResponse.newBuilder()).build();
    assertEquals(0, after.getConfig().getRoutesCount());
    assertEquals(1, after.getConfig().getUpstreamsCount());
  }

  @Test
  void aStaleWriteIs409WithTheCurrentVersionAndNothingIsWritten() {
    long v1 = putUpstream();
    Curl.Response stale =
        curl.send(
            "PUT", "/v1/upstreams/other", ADMIN, UPSTREAM, "-H", "If-Match: \"" + (v1 - 1) + "\"");
    com.google.rpc.Status status = stale.error(409);
    assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION.value(), status.getCode());
    ErrorInfo info = unpack(status, ErrorInfo.class);
    assertEquals("STALE_VERSION", info.getReason());
    assertEquals(Long.toString(v1), info.getMetadataOrThrow("current_version"));
    assertEquals(404, curl.get("/v1/upstreams/other", ADMIN).status());
  }

  @Test
  void anInvalidConfigIs400WithTheValidatorsFieldViolations() {
    Curl.Response invalid = curl.send("PUT", "/v1/routes/api", ADMIN, ROUTE, "-H", "If-Match: 0");
    com.google.rpc.Status status = invalid.error(400);
    BadRequest bad = unpack(status, BadRequest.class);
    assertTrue(
        bad.getFieldViolationsList().stream().anyMatch(v -> v.getField().contains("upstream")),
        invalid::toString);
    assertFalse(invalid.body().contains("\tat "), invalid::toString);
  }

  @Test
  void applyTakesTheApplyRequestAsJsonAndHistoryAndRollbackFollow() {
    String doc =
        "{\"config\":{\"upstreams\":[{\"name\":\"backend\",\"endpoints\":[{\"address\":"
            + "\"127.0.0.1:9000\"}]}]}}";
    Curl.Response dry =
        curl.send(
            "POST", "/v1:apply", ADMIN, doc.replace("{\"config\"", "{\"dryRun\":true,\"config\""));
    assertEquals(200, dry.status(), dry::toString);
    assertTrue(dry.json(ApplyResponse.newBuilder()).getDryRun());
    assertEquals(
        0, curl.get("/v1/config", ADMIN).json(GetConfigResponse.newBuilder()).getVersion());

    Curl.Response applied = curl.send("POST", "/v1:apply", ADMIN, doc, "-H", "If-Match: \"0\"");
    long v1 = applied.json(ApplyResponse.newBuilder()).getVersion();
    assertTrue(v1 > 0, applied::toString);
    long v2 = putRoute(v1);

    ListHistoryResponse history =
        curl.get("/v1/history?limit=1", VIEWER).json(ListHistoryResponse.newBuilder()).build();
    assertEquals(1, history.getEntriesCount());
    assertEquals(v2, history.getEntries(0).getVersion());
    assertEquals("alice", history.getEntries(0).getPrincipal());

    Curl.Response rolled =
        curl.send(
            "POST",
            "/v1:rollback",
            ADMIN,
            "{\"toVersion\":\"" + v1 + "\"}",
            "-H",
            "If-Match: " + v2);
    assertEquals(200, rolled.status(), rolled::toString);
    assertEquals(
        0,
        curl.get("/v1/config", ADMIN)
            .json(GetConfigResponse.newBuilder())
            .getConfig()
            .getRoutesCount());
    assertEquals(
        404, curl.send("POST", "/v1:rollback", ADMIN, "{\"toVersion\":\"99999999\"}").status());
  }

  @Test
  void fleetPathsAnswerNodesRolloutsHealthAndDrain() {
    long v1 = putUpstream();
    Curl.Response nodes = curl.get("/v1/nodes", VIEWER);
    assertEquals(200, nodes.status(), nodes::toString);
    assertEquals(0, nodes.json(ListNodesResponse.newBuilder()).getNodesCount());
    Curl.Response rollout = curl.get("/v1/rollouts/" + v1, VIEWER);
    assertEquals(200, rollout.status(), rollout::toString);
    assertEquals(v1, rollout.json(RolloutStatus.newBuilder()).getVersion());
    assertEquals(400, curl.get("/v1/rollouts/latest", VIEWER).status());
    Curl.Response health = curl.get("/v1/upstreams/backend/health", VIEWER);
    assertEquals(200, health.status(), health::toString);
    health.json(GetEndpointHealthResponse.newBuilder());
    Curl.Response drain = curl.call("POST", "/v1/nodes/edge-9:drain", ADMIN);
    assertEquals(404, drain.status(), drain::toString);
    assertEquals(403, curl.call("POST", "/v1/nodes/edge-9:drain", VIEWER).status());
    Curl.Response retry = curl.send("POST", "/v1/rollouts:retry", ADMIN, "{}");
    assertEquals(200, retry.status(), retry::toString);
    assertEquals(0, retry.json(RetryRolloutResponse.newBuilder()).getNodeIdsCount());
    assertEquals(403, curl.send("POST", "/v1/rollouts:retry", VIEWER, "{}").status());
  }

  @Test
  void credentialsAreCheckedLikeTheGrpcFace() {
    Curl.Response none = curl.get("/v1/config", null);
    assertEquals(
        "missing bearer token (authorization: Bearer <token>)", none.error(401).getMessage());
    assertTrue(none.header("WWW-Authenticate").startsWith("Bearer"), none::toString);
    assertEquals("unknown bearer token", curl.get("/v1/config", "guessed").error(401).getMessage());
    assertEquals(401, curl.get("/v1/no-such-path", null).status(), "strangers learn no paths");

    com.google.rpc.Status viewerWrites =
        curl.send("PUT", "/v1/upstreams/backend", VIEWER, UPSTREAM).error(403);
    assertEquals(
        "wharf.admin.v1.Admin/PutObject needs the admin role; grafana has the viewer role",
        viewerWrites.getMessage());
    assertEquals(403, curl.get("/v1/config", NODE).status());
    assertEquals(
        0, curl.get("/v1/config", ADMIN).json(GetConfigResponse.newBuilder()).getVersion());
  }

  @Test
  void unknownPathsAre404AndWrongMethods405WithAllow() {
    for (String path :
        List.of(
            "/",
            "/v1",
            "/v1/",
            "/v2/config",
            "/v1/config/x",
            "/v1//routes",
            "/v1/gadgets",
            "/v1/routes/a/b",
            "/v1/nodes/:drain",
            "/v1:explode")) {
      Curl.Response r = curl.get(path, ADMIN);
      assertEquals(404, r.status(), path + " -> " + r);
      assertEquals(io.grpc.Status.Code.NOT_FOUND.value(), r.error(404).getCode());
    }
    Curl.Response post = curl.call("POST", "/v1/config", ADMIN);
    assertEquals(405, post.status(), post::toString);
    assertEquals("GET", post.header("Allow"));
    Curl.Response patch = curl.call("PATCH", "/v1/routes/api", ADMIN);
    assertEquals(405, patch.status(), patch::toString);
    assertEquals("GET, PUT, DELETE", patch.header("Allow"));
    assertEquals("POST", curl.get("/v1:apply", ADMIN).header("Allow"));
  }

  @Test
  void hostileBodiesAndHeadersAre400Or413AndNothingIsWritten(@TempDir Path dir) throws Exception {
    for (String body :
        List.of(
            "{",
            "[]",
            "{\"endpoints\":[{\"address\":",
            "{\"endpoints\":\"x\"}",
            "{\"bogus\":1}",
            "{\"name\":\"other\"}",
            "null",
            "\"\"")) {
      Curl.Response r = curl.send("PUT", "/v1/upstreams/backend", ADMIN, body);
      assertEquals(400, r.status(), body + " -> " + r);
      assertFalse(r.body().contains("\tat ") || r.body().contains("Exception"), r::toString);
      unpack(r.error(400), BadRequest.class);
    }
    Path notUtf8 = dir.resolve("latin1.json");
    Files.write(
        notUtf8, new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xE9, '"', '}'});
    assertEquals(
        400,
        curl.call("PUT", "/v1/upstreams/backend", ADMIN, "--data-binary", "@" + notUtf8).status());
    assertEquals(400, curl.call("PUT", "/v1/upstreams/backend", ADMIN).status(), "no body");
    assertEquals(
        400,
        curl.send("PUT", "/v1/upstreams/backend", ADMIN, UPSTREAM, "-H", "If-Match: *").status());
    assertEquals(
        400,
        curl.send(
                "PUT",
                "/v1/upstreams/backend?expected_version=1",
                ADMIN,
                UPSTREAM,
                "-H",
                "If-Match: 2")
            .status());
    assertEquals(400, curl.get("/v1/routes/%zz", ADMIN).status());

    Path huge = dir.resolve("huge.json");
    byte[] bytes = new byte[DocumentLimits.MAX_BYTES + 1];
    java.util.Arrays.fill(bytes, (byte) ' ');
    Files.write(huge, bytes);
    Curl.Response tooLarge = curl.call("POST", "/v1:apply", ADMIN, "--data-binary", "@" + huge);
    assertEquals(413, tooLarge.status(), tooLarge::toString);
    Curl.Response chunked =
        curl.call(
            "POST",
            "/v1:apply",
            ADMIN,
            "-H",
            "Transfer-Encoding: chunked",
            "--data-binary",
            "@" + huge);
    assertEquals(413, chunked.status(), chunked::toString);

    assertEquals(
        0, curl.get("/v1/config", ADMIN).json(GetConfigResponse.newBuilder()).getVersion());
  }

  @Test
  void whileTheStoreIsUnreachableCallsAre503() throws Exception {
    try (ControlPlaneServer shortCalls = replica(Duration.ofSeconds(1))) {
      Curl.Response up = new Curl(shortCalls.adminHttpAddress()).get("/v1/config", ADMIN);
      assertEquals(200, up.status(), up::toString);
      etcd.cluster().stopMember(0);
      try {
        Curl.Response down = new Curl(shortCalls.adminHttpAddress()).get("/v1/config", ADMIN);
        com.google.rpc.Status status = down.error(503);
        assertTrue(status.getMessage().startsWith("the config store: "), down::toString);
        assertFalse(down.body().contains("\tat "), down::toString);
      } finally {
        etcd.cluster().startMember(0);
      }
    }
  }

  private long putUpstream() {
    long current = curl.get("/v1/config", ADMIN).json(GetConfigResponse.newBuilder()).getVersion();
    Curl.Response put =
        curl.send("PUT", "/v1/upstreams/backend", ADMIN, UPSTREAM, "-H", "If-Match: " + current);
    assertEquals(200, put.status(), put::toString);
    return put.json(WriteResponse.newBuilder()).getVersion();
  }

  private long putRoute(long expected) {
    Curl.Response put =
        curl.send("PUT", "/v1/routes/api", ADMIN, ROUTE, "-H", "If-Match: " + expected);
    assertEquals(200, put.status(), put::toString);
    return put.json(WriteResponse.newBuilder()).getVersion();
  }

  private static <T extends com.google.protobuf.Message> T unpack(
      com.google.rpc.Status status, Class<T> type) {
    return status.getDetailsList().stream()
        .filter(a -> a.is(type))
        .findFirst()
        .map(
            a -> {
              try {
                return a.unpack(type);
              } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
              }
            })
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + status));
  }
}
