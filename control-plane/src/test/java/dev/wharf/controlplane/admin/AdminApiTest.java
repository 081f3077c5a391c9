package dev.wharf.controlplane.admin;

import static dev.wharf.controlplane.admin.AdminClients.config;
import static dev.wharf.controlplane.admin.AdminClients.errorInfo;
import static dev.wharf.controlplane.admin.AdminClients.failure;
import static dev.wharf.controlplane.admin.AdminClients.violatedFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import dev.wharf.config.DocumentLimits;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.DeleteObjectRequest;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.GetConfigResponse;
import dev.wharf.proto.admin.v1.GetObjectRequest;
import dev.wharf.proto.admin.v1.HistoryEntry;
import dev.wharf.proto.admin.v1.ListHistoryRequest;
import dev.wharf.proto.admin.v1.ListObjectsRequest;
import dev.wharf.proto.admin.v1.ObjectChange;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.admin.v1.PutObjectRequest;
import dev.wharf.proto.admin.v1.RollbackRequest;
import dev.wharf.proto.admin.v1.WriteResponse;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.RespondAction;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.RouteMatch;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.testkit.EtcdExtension;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Admin API end to end: a real replica on a real etcd, called by a real gRPC client with an
 * admin token. What is asserted is what the client sees: responses, status codes and details, and
 * the config read back.
 */
class AdminApiTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private static final String DOCUMENT =
      """
      listeners:
        - {name: web, port: 8080}
      upstreams:
        - {name: api, endpoints: [{address: "10.0.0.1:80"}]}
      routes:
        - {name: api, match: {path: {prefix: /api}}, proxy: {upstream: api}}
        - {name: home, match: {path: {prefix: /}}, respond: {body: home}}
      """;

  private AdminReplica replica;
  private AdminGrpc.AdminBlockingStub admin;

  @BeforeEach
  void start() throws Exception {
    replica = AdminReplica.start(etcd);
    admin = replica.admin();
  }

  @AfterEach
  void stop() throws Exception {
    replica.close();
  }

  @Test
  void eachKindIsCreatedReadListedReplacedAndDeletedWithTheChangesItMade() {
    WriteResponse w = put(0, object(listener("web", 8080)), "");
    assertTrue(w.getVersion() > 0, w.toString());
    assertEquals(List.of("CREATE listener web"), lines(w.getChangesList()));
    w = put(w.getVersion(), object(upstream("api", "10.0.0.1:80")), "");
    assertEquals(List.of("CREATE upstream api"), lines(w.getChangesList()));
    w = put(w.getVersion(), object(proxy("api", "/api", "api")), "");
    w = put(w.getVersion(), object(respond("home", "/", "home")), "");
    w = put(w.getVersion(), object(respond("health", "/healthz", "ok")), "api");
    assertEquals(List.of("CREATE route health"), lines(w.getChangesList()));

    assertEquals(
        List.of("health", "api", "home"),
        names(ObjectKind.OBJECT_KIND_ROUTE),
        "before_route placed the new route; routes list in document order");
    assertEquals(List.of("api"), names(ObjectKind.OBJECT_KIND_UPSTREAM));
    var got =
        admin.getObject(
            GetObjectRequest.newBuilder()
                .setKind(ObjectKind.OBJECT_KIND_ROUTE)
                .setName("api")
                .build());
    assertEquals(proxy("api", "/api", "api"), got.getObject().getRoute());
    assertEquals(w.getVersion(), got.getVersion());

    long before = w.getVersion();
    w = put(before, object(upstream("api", "10.0.0.2:80")), "");
    assertTrue(w.getVersion() > before);
    assertEquals(List.of("UPDATE upstream api"), lines(w.getChangesList()));
    assertEquals("endpoints[0].address", w.getChanges(0).getFields(0).getPath());
    assertEquals("'10.0.0.1:80'", w.getChanges(0).getFields(0).getOldValue());
    assertEquals("'10.0.0.2:80'", w.getChanges(0).getFields(0).getNewValue());

    WriteResponse same = put(w.getVersion(), object(upstream("api", "10.0.0.2:80")), "");
    assertEquals(w.getVersion(), same.getVersion(), "a put that changes nothing makes no version");
    assertEquals(List.of(), same.getChangesList());

    w =
        admin.deleteObject(
            DeleteObjectRequest.newBuilder()
                .setExpectedVersion(w.getVersion())
                .setKind(ObjectKind.OBJECT_KIND_ROUTE)
                .setName("health")
                .build());
    assertEquals(List.of("DELETE route health"), lines(w.getChangesList()));
    failure(
        Code.NOT_FOUND,
        () ->
            admin.getObject(
                GetObjectRequest.newBuilder()
                    .setKind(ObjectKind.OBJECT_KIND_ROUTE)
                    .setName("health")
                    .build()));

    GetConfigResponse current = admin.getConfig(GetConfigRequest.getDefaultInstance());
    assertEquals(w.getVersion(), current.getVersion());
    assertEquals(
        Config.newBuilder()
            .addListeners(listener("web", 8080))
            .addUpstreams(upstream("api", "10.0.0.2:80"))
            .addRoutes(proxy("api", "/api", "api"))
            .addRoutes(respond("home", "/", "home"))
            .build(),
        current.getConfig());
  }

  @Test
  void createOnlyRefusesAnObjectThatExistsAndWritesNothing() {
    long v = put(0, object(listener("web", 8080)), "").getVersion();

    StatusRuntimeException e =
        failure(
            Code.ALREADY_EXISTS,
            () ->
                admin.putObject(
                    PutObjectRequest.newBuilder()
                        .setExpectedVersion(v)
                        .setCreateOnly(true)
                        .setObject(object(listener("web", 9090)))
                        .build()));

    assertEquals("listener 'web' already exists", e.getStatus().getDescription());
    assertEquals(v, version());
  }

  @Test
  void objectsThatAreNotThereAreNotFound() {
    long v = apply(0, config(DOCUMENT)).getVersion();

    StatusRuntimeException get =
        failure(
            Code.NOT_FOUND,
            () ->
                admin.getObject(
                    GetObjectRequest.newBuilder()
                        .setKind(ObjectKind.OBJECT_KIND_UPSTREAM)
                        .setName("nope")
                        .build()));
    assertEquals("no upstream is named 'nope' in version " + v, get.getStatus().getDescription());
    failure(
        Code.NOT_FOUND,
        () ->
            admin.deleteObject(
                DeleteObjectRequest.newBuilder()
                    .setExpectedVersion(v)
                    .setKind(ObjectKind.OBJECT_KIND_ROUTE)
                    .setName("nope")
                    .build()));
    assertEquals(v, version());
  }

  @Test
  void aRequestWithoutKindNameOrObjectIsAnInvalidArgumentNamingTheField() {
    assertEquals(
        List.of("kind"),
        violatedFields(
            failure(
                Code.INVALID_ARGUMENT,
                () -> admin.getObject(GetObjectRequest.newBuilder().setName("x").build()))));
    assertEquals(
        List.of("name"),
        violatedFields(
            failure(
                Code.INVALID_ARGUMENT,
                () ->
                    admin.getObject(
                        GetObjectRequest.newBuilder()
                            .setKind(ObjectKind.OBJECT_KIND_ROUTE)
                            .build()))));
    assertEquals(
        List.of("kind"),
        violatedFields(
            failure(
                Code.INVALID_ARGUMENT,
                () -> admin.listObjects(ListObjectsRequest.getDefaultInstance()))));
    assertEquals(
        List.of("object"),
        violatedFields(
            failure(
                Code.INVALID_ARGUMENT,
                () -> admin.putObject(PutObjectRequest.getDefaultInstance()))));
    StatusRuntimeException unnamed =
        failure(
            Code.INVALID_ARGUMENT,
            () ->
                admin.putObject(
                    PutObjectRequest.newBuilder()
                        .setObject(object(proxy("", "/", "api")))
                        .build()));
    assertEquals(List.of("object.route.name"), violatedFields(unnamed));
    assertEquals("object.route.name: required", unnamed.getStatus().getDescription());
    assertEquals(
        List.of("before_route"),
        violatedFields(
            failure(
                Code.INVALID_ARGUMENT,
                () -> put(0, object(respond("r", "/", "x")), "no-such-route"))));
    assertEquals(
        List.of("config"),
        violatedFields(
            failure(Code.INVALID_ARGUMENT, () -> admin.apply(ApplyRequest.getDefaultInstance()))));
    assertEquals(
        List.of("to_version"),
        violatedFields(
            failure(
                Code.INVALID_ARGUMENT,
                () -> admin.rollback(RollbackRequest.getDefaultInstance()))));
    assertEquals(0, version(), "nothing was written");
  }

  @Test
  void aWriteNamingAVersionThatIsNoLongerCurrentIsRefusedWithTheCurrentVersion() {
    long v = apply(0, config(DOCUMENT)).getVersion();

    StatusRuntimeException e =
        failure(Code.FAILED_PRECONDITION, () -> put(0, object(listener("other", 9090)), ""));

    ErrorInfo info = errorInfo(e);
    assertEquals("STALE_VERSION", info.getReason());
    assertEquals("wharf.dev", info.getDomain());
    assertEquals(Long.toString(v), info.getMetadataOrThrow("current_version"));
    assertEquals("0", info.getMetadataOrThrow("expected_version"));
    String message = e.getStatus().getDescription();
    assertTrue(
        message.contains("expected version 0") && message.contains("version is " + v), message);
    assertEquals(v, version());
    assertEquals(
        config(DOCUMENT),
        admin.getConfig(GetConfigRequest.getDefaultInstance()).getConfig(),
        "nothing was merged");
    failure(Code.FAILED_PRECONDITION, () -> apply(v + 1000, config(DOCUMENT)));
    failure(
        Code.FAILED_PRECONDITION,
        () ->
            admin.deleteObject(
                DeleteObjectRequest.newBuilder()
                    .setExpectedVersion(v - 1)
                    .setKind(ObjectKind.OBJECT_KIND_ROUTE)
                    .setName("home")
                    .build()));
  }

  @Test
  void applyWritesANewUpstreamAndTheRouteThatUsesItAsOneVersion() {
    long v = apply(0, config(DOCUMENT)).getVersion();
    Config next =
        config(
            DOCUMENT.replace(
                "routes:\n",
                "  - {name: ws, endpoints: [{address: \"10.0.0.9:80\"}]}\n"
                    + "routes:\n"
                    + "  - {name: ws, match: {path: {prefix: /ws}}, proxy: {upstream: ws}}\n"));

    ApplyResponse r = apply(v, next);

    assertFalse(r.getDryRun());
    assertTrue(r.getVersion() > v);
    assertEquals(List.of("CREATE upstream ws", "CREATE route ws"), lines(r.getChangesList()));
    GetConfigResponse current = admin.getConfig(GetConfigRequest.getDefaultInstance());
    assertEquals(r.getVersion(), current.getVersion());
    assertEquals(next, current.getConfig());
  }

  @Test
  void anInvalidDocumentWritesNothingAndNamesEveryBadField() {
    long v = apply(0, config(DOCUMENT)).getVersion();
    Config invalid =
        AdminClients.unvalidated(
            """
        listeners:
          - {name: web, port: 70000}
        routes:
          - {name: r, match: {path: {prefix: /r}}, proxy: {upstream: missing}}
        """);

    StatusRuntimeException e = failure(Code.INVALID_ARGUMENT, () -> apply(v, invalid));

    List<String> fields = violatedFields(e);
    assertTrue(fields.contains("routes[0].proxy.upstream"), fields.toString());
    assertTrue(fields.contains("listeners[0].port"), fields.toString());
    String message = e.getStatus().getDescription();
    assertTrue(message.startsWith("the config is invalid (2 errors):\n  "), message);
    assertTrue(message.contains("routes[0].proxy.upstream: "), message);
    assertEquals(v, version());
    assertEquals(
        config(DOCUMENT), admin.getConfig(GetConfigRequest.getDefaultInstance()).getConfig());
  }

  @Test
  void deletingAnUpstreamThatARouteUsesIsInvalidAndNamesTheReference() {
    long v = apply(0, config(DOCUMENT)).getVersion();

    StatusRuntimeException e =
        failure(
            Code.INVALID_ARGUMENT,
            () ->
                admin.deleteObject(
                    DeleteObjectRequest.newBuilder()
                        .setExpectedVersion(v)
                        .setKind(ObjectKind.OBJECT_KIND_UPSTREAM)
                        .setName("api")
                        .build()));

    assertEquals(List.of("routes[0].proxy.upstream"), violatedFields(e));
    assertEquals(v, version());
  }

  @Test
  void aDryRunReturnsTheDiffAgainstTheCurrentVersionAndWritesNothing() {
    long v = apply(0, config(DOCUMENT)).getVersion();
    Config next =
        config(
            DOCUMENT
                .replace("respond: {body: home}", "respond: {body: welcome}")
                .replace(
                    "  - {name: web, port: 8080}\n",
                    "  - {name: web, port: 8080}\n" + "  - {name: alt, port: 8081}\n"));

    ApplyResponse r =
        admin.apply(
            ApplyRequest.newBuilder()
                .setExpectedVersion(v)
                .setConfig(next)
                .setDryRun(true)
                .build());

    assertTrue(r.getDryRun());
    assertEquals(v, r.getVersion());
    assertEquals(List.of("CREATE listener alt", "UPDATE route home"), lines(r.getChangesList()));
    assertEquals("respond.body", r.getChanges(1).getFields(0).getPath());
    assertEquals("home", r.getChanges(1).getFields(0).getOldValue());
    assertEquals("welcome", r.getChanges(1).getFields(0).getNewValue());
    assertEquals(v, version(), "a dry run writes nothing");
    assertEquals(
        config(DOCUMENT), admin.getConfig(GetConfigRequest.getDefaultInstance()).getConfig());

    ApplyResponse anyVersion =
        admin.apply(ApplyRequest.newBuilder().setConfig(next).setDryRun(true).build());
    assertEquals(v, anyVersion.getVersion(), "without expected_version: against the current one");
    failure(
        Code.FAILED_PRECONDITION,
        () ->
            admin.apply(
                ApplyRequest.newBuilder()
                    .setExpectedVersion(v + 1000)
                    .setConfig(next)
                    .setDryRun(true)
                    .build()));
    failure(
        Code.INVALID_ARGUMENT,
        () ->
            admin.apply(
                ApplyRequest.newBuilder()
                    .setDryRun(true)
                    .setConfig(AdminClients.unvalidated("routes: [{name: r}]"))
                    .build()));
  }

  /** Needs the store's history (version(), history()): fails while they are stubs. */
  @Test
  void rollbackCommitsAPastConfigAgainAsANewVersionRecordedInTheHistory() {
    Config first = config(DOCUMENT);
    Config second = config(DOCUMENT.replace("10.0.0.1:80", "10.0.0.2:80"));
    long v1 = apply(0, first).getVersion();
    long v2 = apply(v1, second).getVersion();

    WriteResponse r =
        admin.rollback(
            RollbackRequest.newBuilder().setExpectedVersion(v2).setToVersion(v1).build());

    assertTrue(r.getVersion() > v2);
    assertEquals(List.of("UPDATE upstream api"), lines(r.getChangesList()));
    GetConfigResponse current = admin.getConfig(GetConfigRequest.getDefaultInstance());
    assertEquals(r.getVersion(), current.getVersion());
    assertEquals(first, current.getConfig());
    List<HistoryEntry> history =
        admin.listHistory(ListHistoryRequest.newBuilder().setLimit(2).build()).getEntriesList();
    assertEquals(
        List.of(r.getVersion(), v2),
        history.stream().map(HistoryEntry::getVersion).toList(),
        "newest first, at most 2");
    assertEquals("rollback to " + v1, history.get(0).getSummary());
    assertEquals("alice", history.get(0).getPrincipal());
    assertEquals("apply: ~1 upstream", history.get(1).getSummary());
    assertTrue(history.get(0).getCommittedAt().getSeconds() > 0);

    StatusRuntimeException future =
        failure(
            Code.NOT_FOUND,
            () ->
                admin.rollback(
                    RollbackRequest.newBuilder()
                        .setExpectedVersion(r.getVersion())
                        .setToVersion(r.getVersion() + 1000)
                        .build()));
    assertEquals(
        "version "
            + (r.getVersion() + 1000)
            + " does not exist yet (the latest version is "
            + r.getVersion()
            + ")",
        future.getStatus().getDescription());
    failure(
        Code.FAILED_PRECONDITION,
        () ->
            admin.rollback(
                RollbackRequest.newBuilder().setExpectedVersion(v2).setToVersion(v1).build()));
  }

  @Test
  void whileTheStoreIsUnreachableCallsAreUnavailableWithItsReasonAndNoStackTrace()
      throws Exception {
    try (AdminReplica shortCalls =
        AdminReplica.start(
            etcd,
            Duration.ofSeconds(1),
            dev.wharf.controlplane.server.AccessTokens.parse(
                List.of("admin " + AdminReplica.ADMIN), "tokens"))) {
      etcd.cluster().stopMember(0);
      try {
        StatusRuntimeException e =
            failure(
                Code.UNAVAILABLE,
                () -> shortCalls.admin().getConfig(GetConfigRequest.getDefaultInstance()));
        String message = e.getStatus().getDescription();
        assertTrue(message.startsWith("the config store: "), message);
        assertFalse(message.contains("\tat ") || message.contains("Exception"), message);
      } finally {
        etcd.cluster().startMember(0);
      }
    }
  }

  @Test
  void aRequestOneByteOverTheDocumentLimitIsRefusedUnreadAndTheReplicaServesOn() {
    long before = version();
    ApplyRequest request = applyOfSize(DocumentLimits.MAX_BYTES + 1);

    StatusRuntimeException e = failure(Code.RESOURCE_EXHAUSTED, () -> admin.apply(request));

    String message = e.getStatus().getDescription();
    assertTrue(message.contains(String.valueOf(DocumentLimits.MAX_BYTES)), message);
    assertEquals(before, version(), "nothing was written");
    apply(before, config(DOCUMENT));
    assertEquals(
        config(DOCUMENT),
        admin.getConfig(GetConfigRequest.getDefaultInstance()).getConfig(),
        "the next good config is applied");
  }

  /** A dry-run Apply of exactly {@code bytes} bytes, most of them one route's response body. */
  private static ApplyRequest applyOfSize(int bytes) {
    int body = bytes;
    ApplyRequest request;
    do {
      request =
          ApplyRequest.newBuilder()
              .setDryRun(true)
              .setConfig(
                  Config.newBuilder()
                      .addListeners(listener("web", 8080))
                      .addRoutes(respond("big", "/", "x".repeat(body))))
              .build();
      body -= request.getSerializedSize() - bytes;
    } while (request.getSerializedSize() != bytes);
    return request;
  }

  private WriteResponse put(long expected, ConfigObject object, String beforeRoute) {
    return admin.putObject(
        PutObjectRequest.newBuilder()
            .setExpectedVersion(expected)
            .setObject(object)
            .setBeforeRoute(beforeRoute)
            .build());
  }

  private ApplyResponse apply(long expected, Config config) {
    return admin.apply(
        ApplyRequest.newBuilder().setExpectedVersion(expected).setConfig(config).build());
  }

  private long version() {
    return admin.getConfig(GetConfigRequest.getDefaultInstance()).getVersion();
  }

  private List<String> names(ObjectKind kind) {
    return admin
        .listObjects(ListObjectsRequest.newBuilder().setKind(kind).build())
        .getObjectsList()
        .stream()
        .map(ObjectKinds::nameOf)
        .toList();
  }

  static List<String> lines(List<ObjectChange> changes) {
    return changes.stream()
        .map(
            c ->
                c.getAction().name().substring("ACTION_".length())
                    + " "
                    + ObjectKinds.noun(c.getKind())
                    + " "
                    + c.getName())
        .toList();
  }

  static ConfigObject object(Listener l) {
    return ObjectKinds.of(l);
  }

  static ConfigObject object(Upstream u) {
    return ObjectKinds.of(u);
  }

  static ConfigObject object(Route r) {
    return ObjectKinds.of(r);
  }

  static Listener listener(String name, int port) {
    return Listener.newBuilder().setName(name).setPort(port).build();
  }

  static Upstream upstream(String name, String address) {
    return Upstream.newBuilder()
        .setName(name)
        .addEndpoints(Endpoint.newBuilder().setAddress(address))
        .build();
  }

  static Route proxy(String name, String prefix, String upstream) {
    return Route.newBuilder()
        .setName(name)
        .setMatch(RouteMatch.newBuilder().setPath(PathMatch.newBuilder().setPrefix(prefix)))
        .setProxy(ProxyAction.newBuilder().setUpstream(upstream))
        .build();
  }

  static Route respond(String name, String prefix, String body) {
    return Route.newBuilder()
        .setName(name)
        .setMatch(RouteMatch.newBuilder().setPath(PathMatch.newBuilder().setPrefix(prefix)))
        .setRespond(RespondAction.newBuilder().setBody(body))
        .build();
  }
}
