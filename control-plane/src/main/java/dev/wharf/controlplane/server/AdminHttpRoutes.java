package dev.wharf.controlplane.server;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.wharf.controlplane.admin.AdminService;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.DeleteObjectRequest;
import dev.wharf.proto.admin.v1.DrainNodeRequest;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.GetEndpointHealthRequest;
import dev.wharf.proto.admin.v1.GetObjectRequest;
import dev.wharf.proto.admin.v1.GetRolloutRequest;
import dev.wharf.proto.admin.v1.ListHistoryRequest;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.ListObjectsRequest;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.admin.v1.PutObjectRequest;
import dev.wharf.proto.admin.v1.RetryRolloutRequest;
import dev.wharf.proto.admin.v1.RollbackRequest;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The HTTP/JSON paths of the Admin API, each a transcoding of one Admin RPC: the request message is
 * built from the path, the query and the JSON body, and {@link AdminService}'s own method answers
 * it, so every rule (validation, versions, errors) has its one home there.
 *
 * <pre>
 * GET    /v1/config                      GetConfig
 * GET    /v1/{routes|listeners|upstreams} ListObjects
 * GET    /v1/{kind}/{name}               GetObject
 * PUT    /v1/{kind}/{name}               PutObject     body: the object; ?create_only, ?before_route
 * DELETE /v1/{kind}/{name}               DeleteObject
 * POST   /v1:apply                       Apply         body: ApplyRequest
 * GET    /v1/history?limit=N             ListHistory
 * POST   /v1:rollback                    Rollback      body: RollbackRequest
 * GET    /v1/nodes                       ListNodes
 * GET    /v1/rollouts/{version}          GetRollout
 * GET    /v1/upstreams/{name}/health     GetEndpointHealth
 * POST   /v1/nodes/{id}:drain            DrainNode
 * POST   /v1/rollouts:retry              RetryRollout  body: RetryRolloutRequest (may be {})
 * </pre>
 *
 * Writes take the version they expect from {@code If-Match} or {@code ?expected_version=}.
 */
final class AdminHttpRoutes {
  /** One method on one path: the RPC it is (for permissions) and how to call it. */
  record Call(MethodDescriptor<?, ?> rpc, Invocation invocation) {}

  /** Builds the RPC's request from the HTTP request and answers it. */
  @FunctionalInterface
  interface Invocation {
    Message invoke(AdminHttpRequest request);
  }

  private static final Map<String, ObjectKind> KINDS =
      Map.of(
          "listeners", ObjectKind.OBJECT_KIND_LISTENER,
          "upstreams", ObjectKind.OBJECT_KIND_UPSTREAM,
          "routes", ObjectKind.OBJECT_KIND_ROUTE);

  private final AdminService admin;

  AdminHttpRoutes(AdminService admin) {
    this.admin = admin;
  }

  /**
   * The methods a path answers, by HTTP method; empty for a path that is not the Admin API's.
   *
   * @param path the raw path, e.g. {@code /v1/routes/api}
   */
  Map<String, Call> resolve(String path, List<String> segments) {
    Map<String, Call> calls = new LinkedHashMap<>();
    if (path.equals("/v1:apply")) {
      calls.put("POST", new Call(AdminGrpc.getApplyMethod(), this::apply));
    } else if (path.equals("/v1:rollback")) {
      calls.put("POST", new Call(AdminGrpc.getRollbackMethod(), this::rollback));
    } else if (path.equals("/v1/rollouts:retry")) {
      calls.put("POST", new Call(AdminGrpc.getRetryRolloutMethod(), this::retryRollout));
    } else if (!path.startsWith("/v1/") || segments.isEmpty()) {
      return calls;
    } else if (segments.size() == 1) {
      resolveTop(segments.get(0), calls);
    } else if (segments.size() == 2 && KINDS.containsKey(segments.get(0))) {
      calls.put("GET", new Call(AdminGrpc.getGetObjectMethod(), this::getObject));
      calls.put("PUT", new Call(AdminGrpc.getPutObjectMethod(), this::putObject));
      calls.put("DELETE", new Call(AdminGrpc.getDeleteObjectMethod(), this::deleteObject));
    } else if (segments.size() == 2 && segments.get(0).equals("rollouts")) {
      calls.put("GET", new Call(AdminGrpc.getGetRolloutMethod(), this::rollout));
    } else if (segments.size() == 2
        && segments.get(0).equals("nodes")
        && segments.get(1).endsWith(":drain")
        && segments.get(1).length() > ":drain".length()) {
      calls.put("POST", new Call(AdminGrpc.getDrainNodeMethod(), this::drain));
    } else if (segments.size() == 3
        && segments.get(0).equals("upstreams")
        && segments.get(2).equals("health")) {
      calls.put("GET", new Call(AdminGrpc.getGetEndpointHealthMethod(), this::health));
    }
    return calls;
  }

  private void resolveTop(String segment, Map<String, Call> calls) {
    switch (segment) {
      case "config" ->
          calls.put(
              "GET",
              new Call(
                  AdminGrpc.getGetConfigMethod(),
                  r -> unary(admin::getConfig, GetConfigRequest.getDefaultInstance())));
      case "history" -> calls.put("GET", new Call(AdminGrpc.getListHistoryMethod(), this::history));
      case "nodes" ->
          calls.put(
              "GET",
              new Call(
                  AdminGrpc.getListNodesMethod(),
                  r -> unary(admin::listNodes, ListNodesRequest.getDefaultInstance())));
      default -> {
        if (KINDS.containsKey(segment)) {
          calls.put("GET", new Call(AdminGrpc.getListObjectsMethod(), this::listObjects));
        }
      }
    }
  }

  private Message listObjects(AdminHttpRequest r) {
    ObjectKind kind = KINDS.get(r.segments().get(0));
    return unary(admin::listObjects, ListObjectsRequest.newBuilder().setKind(kind).build());
  }

  private Message getObject(AdminHttpRequest r) {
    return unary(
        admin::getObject,
        GetObjectRequest.newBuilder()
            .setKind(KINDS.get(r.segments().get(0)))
            .setName(r.segments().get(1))
            .build());
  }

  /** The body is the object itself; its name may be left out, and must be the path's if given. */
  private Message putObject(AdminHttpRequest r) {
    String plural = r.segments().get(0);
    String name = r.segments().get(1);
    FieldDescriptor field =
        ConfigObject.getDescriptor()
            .findFieldByName(plural.substring(0, plural.length() - 1)); // "routes" -> "route"
    ConfigObject.Builder object = ConfigObject.newBuilder();
    Message.Builder body = object.newBuilderForField(field);
    HttpJson.parse(r.body(), body);
    FieldDescriptor nameField = body.getDescriptorForType().findFieldByName("name");
    String named = (String) body.getField(nameField);
    if (named.isEmpty()) {
      body.setField(nameField, name);
    } else if (!named.equals(name)) {
      throw HttpJson.invalid("name", "'" + named + "' is not the path's name '" + name + "'");
    }
    object.setField(field, body.build());
    PutObjectRequest.Builder put =
        PutObjectRequest.newBuilder()
            .setObject(object)
            .setExpectedVersion(r.expectedVersion(0))
            .setCreateOnly(r.flag("create_only"));
    String before = r.query().get("before_route");
    if (before != null) {
      put.setBeforeRoute(before);
    }
    return unary(admin::putObject, put.build());
  }

  private Message deleteObject(AdminHttpRequest r) {
    return unary(
        admin::deleteObject,
        DeleteObjectRequest.newBuilder()
            .setKind(KINDS.get(r.segments().get(0)))
            .setName(r.segments().get(1))
            .setExpectedVersion(r.expectedVersion(0))
            .setAllowEmpty(r.flag("allow_empty"))
            .build());
  }

  /** The body is an ApplyRequest, so fields added to it later pass through unchanged. */
  private Message apply(AdminHttpRequest r) {
    ApplyRequest.Builder apply = ApplyRequest.newBuilder();
    HttpJson.parse(r.body(), apply);
    apply.setExpectedVersion(r.expectedVersion(apply.getExpectedVersion()));
    return unary(admin::apply, apply.build());
  }

  private Message history(AdminHttpRequest r) {
    ListHistoryRequest.Builder history = ListHistoryRequest.newBuilder();
    String limit = r.query().get("limit");
    if (limit != null) {
      history.setLimit((int) Math.min(AdminHttpRequest.version(limit, "limit"), Integer.MAX_VALUE));
    }
    return unary(admin::listHistory, history.build());
  }

  private Message rollback(AdminHttpRequest r) {
    RollbackRequest.Builder rollback = RollbackRequest.newBuilder();
    HttpJson.parse(r.body(), rollback);
    rollback.setExpectedVersion(r.expectedVersion(rollback.getExpectedVersion()));
    return unary(admin::rollback, rollback.build());
  }

  private Message rollout(AdminHttpRequest r) {
    long version = AdminHttpRequest.version(r.segments().get(1), "version");
    return unary(admin::getRollout, GetRolloutRequest.newBuilder().setVersion(version).build());
  }

  private Message retryRollout(AdminHttpRequest r) {
    RetryRolloutRequest.Builder retry = RetryRolloutRequest.newBuilder();
    HttpJson.parse(r.body(), retry);
    return unary(admin::retryRollout, retry.build());
  }

  private Message health(AdminHttpRequest r) {
    return unary(
        admin::getEndpointHealth,
        GetEndpointHealthRequest.newBuilder().setUpstream(r.segments().get(1)).build());
  }

  private Message drain(AdminHttpRequest r) {
    String segment = r.segments().get(1);
    String node = segment.substring(0, segment.length() - ":drain".length());
    return unary(admin::drainNode, DrainNodeRequest.newBuilder().setNodeId(node).build());
  }

  /**
   * Calls a unary method of the service and returns its answer. The service answers before it
   * returns (its calls block on the store), so nothing is waited for here.
   */
  static <Q, R extends Message> R unary(BiConsumer<Q, StreamObserver<R>> method, Q request) {
    Answer<R> answer = new Answer<>();
    method.accept(request, answer);
    if (answer.error != null) {
      throw answer.error;
    }
    if (answer.value == null) {
      throw new IllegalStateException("the Admin service did not answer");
    }
    return answer.value;
  }

  /** What a unary call answered. */
  private static final class Answer<R> implements StreamObserver<R> {
    R value;
    StatusRuntimeException error;

    @Override
    public void onNext(R v) {
      value = v;
    }

    @Override
    public void onError(Throwable t) {
      error =
          t instanceof StatusRuntimeException s
              ? s
              : io.grpc.Status.fromThrowable(t).asRuntimeException();
    }

    @Override
    public void onCompleted() {}
  }
}
