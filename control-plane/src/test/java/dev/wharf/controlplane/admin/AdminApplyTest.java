package dev.wharf.controlplane.admin;

import static dev.wharf.controlplane.admin.AdminApiTest.lines;
import static dev.wharf.controlplane.admin.AdminClients.config;
import static dev.wharf.controlplane.admin.AdminClients.failure;
import static dev.wharf.controlplane.admin.AdminClients.unvalidated;
import static dev.wharf.controlplane.admin.AdminClients.violatedFields;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.admin.v1.DeleteObjectRequest;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.testkit.EtcdExtension;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Apply's semantics on a real replica and etcd: a document is merged per object unless it prunes,
 * and a write that would leave no listener or no route needs allow_empty.
 */
class AdminApplyTest {
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
  void aDocumentOfUpstreamsOnlyChangesThemAndLeavesListenersAndRoutesAlone() {
    long v = apply(request(0, config(DOCUMENT))).getVersion();
    Config upstreams =
        unvalidated("upstreams:\n  - {name: api, endpoints: [{address: \"10.0.0.2:80\"}]}\n");

    ApplyResponse r = apply(request(v, upstreams));

    assertEquals(List.of("UPDATE upstream api"), lines(r.getChangesList()));
    Config now = current();
    assertEquals(1, now.getListenersCount());
    assertEquals(List.of("api", "home"), now.getRoutesList().stream().map(Route::getName).toList());
    assertEquals("10.0.0.2:80", now.getUpstreams(0).getEndpoints(0).getAddress());
  }

  @Test
  void aRouteOfAPartialDocumentMayNameAnUpstreamTheConfigHoldsAndGoesWhereTheDocumentPutsIt() {
    long v = apply(request(0, config(DOCUMENT))).getVersion();
    Config routes =
        unvalidated(
            "routes:\n"
                + "  - {name: v2, match: {path: {prefix: /v2}}, proxy: {upstream: api}}\n"
                + "  - {name: home, match: {path: {prefix: /}}, respond: {body: new}}\n");

    ApplyResponse r = apply(request(v, routes));

    assertEquals(List.of("UPDATE route home", "CREATE route v2"), lines(r.getChangesList()));
    assertEquals(
        List.of("api", "v2", "home"),
        current().getRoutesList().stream().map(Route::getName).toList());
    // A reference the merged config does not satisfy is still refused, by the server.
    StatusRuntimeException e =
        failure(
            Code.INVALID_ARGUMENT,
            () ->
                apply(
                    request(
                        r.getVersion(),
                        unvalidated(
                            "routes:\n  - {name: x, match: {path: {prefix: /x}},"
                                + " proxy: {upstream: nope}}\n"))));
    assertEquals(List.of("routes[0].proxy.upstream"), violatedFields(e));
  }

  @Test
  void pruneMakesTheDocumentTheWholeConfig() {
    long v = apply(request(0, config(DOCUMENT))).getVersion();
    Config smaller = config(DOCUMENT.replaceAll("(?m)^  - \\{name: api, match.*\\n", ""));

    ApplyResponse dry =
        apply(request(v, smaller).toBuilder().setPrune(true).setDryRun(true).build());
    assertEquals(List.of("DELETE route api"), lines(dry.getChangesList()));
    assertEquals(v, version(), "a dry run writes nothing");

    ApplyResponse r = apply(request(v, smaller).toBuilder().setPrune(true).build());
    assertEquals(List.of("DELETE route api"), lines(r.getChangesList()));
    assertEquals(List.of("home"), current().getRoutesList().stream().map(Route::getName).toList());
  }

  @Test
  void leavingNoListenerOrNoRouteIsRefusedUnlessAllowEmpty() {
    long v = apply(request(0, config(DOCUMENT))).getVersion();
    Config upstreamsOnly =
        unvalidated("upstreams:\n  - {name: api, endpoints: [{address: \"10.0.0.1:80\"}]}\n");
    ApplyRequest prune = request(v, upstreamsOnly).toBuilder().setPrune(true).build();

    StatusRuntimeException e = failure(Code.INVALID_ARGUMENT, () -> apply(prune));
    assertEquals(List.of("allow_empty"), violatedFields(e));
    assertTrue(e.getStatus().getDescription().contains("every listener"), e.toString());
    failure(Code.INVALID_ARGUMENT, () -> apply(prune.toBuilder().setDryRun(true).build()));
    assertEquals(v, version(), "nothing written");

    ApplyResponse r = apply(prune.toBuilder().setAllowEmpty(true).build());
    assertTrue(r.getVersion() > v);
    assertEquals(0, current().getListenersCount());
    assertEquals(0, current().getRoutesCount());
  }

  @Test
  void aStaleDocumentIsRefusedAndNothingIsWritten() {
    long v = apply(request(0, config(DOCUMENT))).getVersion();
    long v2 =
        apply(
                request(
                    v,
                    unvalidated(
                        "routes:\n  - {name: home, match: {path: {prefix: /}},"
                            + " respond: {body: other}}\n")))
            .getVersion();

    StatusRuntimeException e =
        failure(Code.FAILED_PRECONDITION, () -> apply(request(v, config(DOCUMENT))));

    assertEquals(
        String.valueOf(v2),
        AdminClients.errorInfo(e).getMetadataOrThrow("current_version"),
        "the current version travels with the refusal");
    assertEquals(v2, version());
  }

  @Test
  void aWholeDocumentWithARouteInsertedAndTwoSwappedKeepsItsOrderAndDeletesNothing() {
    long v = apply(request(0, config(DOCUMENT))).getVersion();
    Config edited =
        config(
            """
            listeners:
              - {name: web, port: 8080}
            upstreams:
              - {name: api, endpoints: [{address: "10.0.0.1:80"}]}
            routes:
              - {name: home, match: {path: {prefix: /}}, respond: {body: home}}
              - {name: new, match: {path: {prefix: /new}}, respond: {body: new}}
              - {name: api, match: {path: {prefix: /api}}, proxy: {upstream: api}}
            """);

    apply(request(v, edited));

    assertEquals(edited, current());
  }

  @Test
  void anInvalidObjectOfAMergedDocumentIsNamedByItsPlaceInTheDocument() {
    long v = apply(request(0, config(DOCUMENT))).getVersion();

    StatusRuntimeException e =
        failure(
            Code.INVALID_ARGUMENT,
            () ->
                apply(
                    request(
                        v,
                        unvalidated(
                            "routes:\n  - {name: api, match: {path: {prefix: /api}},"
                                + " proxy: {upstream: gone}}\n"))));

    assertEquals(List.of("routes[0].proxy.upstream"), violatedFields(e));
    assertEquals(v, version());
  }

  @Test
  void deletingTheLastListenerNeedsAllowEmpty() {
    long v = apply(request(0, config(DOCUMENT))).getVersion();
    DeleteObjectRequest delete =
        DeleteObjectRequest.newBuilder()
            .setExpectedVersion(v)
            .setKind(ObjectKind.OBJECT_KIND_LISTENER)
            .setName("web")
            .build();

    StatusRuntimeException e = failure(Code.INVALID_ARGUMENT, () -> admin.deleteObject(delete));

    assertEquals(List.of("allow_empty"), violatedFields(e));
    assertEquals(v, version());
    assertTrue(admin.deleteObject(delete.toBuilder().setAllowEmpty(true).build()).getVersion() > v);
    assertEquals(0, current().getListenersCount());
  }

  private ApplyResponse apply(ApplyRequest request) {
    return admin.apply(request);
  }

  private static ApplyRequest request(long expected, Config config) {
    return ApplyRequest.newBuilder().setExpectedVersion(expected).setConfig(config).build();
  }

  private Config current() {
    return admin.getConfig(GetConfigRequest.getDefaultInstance()).getConfig();
  }

  private long version() {
    return admin.getConfig(GetConfigRequest.getDefaultInstance()).getVersion();
  }
}
