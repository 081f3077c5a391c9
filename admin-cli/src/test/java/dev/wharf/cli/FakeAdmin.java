package dev.wharf.cli;

import com.google.protobuf.Any;
import com.google.protobuf.Timestamp;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.wharf.cli.output.Kinds;
import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigValidator;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.DeleteObjectRequest;
import dev.wharf.proto.admin.v1.DrainNodeRequest;
import dev.wharf.proto.admin.v1.DrainNodeResponse;
import dev.wharf.proto.admin.v1.EndpointHealth;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.GetConfigResponse;
import dev.wharf.proto.admin.v1.GetEndpointHealthRequest;
import dev.wharf.proto.admin.v1.GetEndpointHealthResponse;
import dev.wharf.proto.admin.v1.GetObjectRequest;
import dev.wharf.proto.admin.v1.GetObjectResponse;
import dev.wharf.proto.admin.v1.GetRolloutRequest;
import dev.wharf.proto.admin.v1.GetServerInfoRequest;
import dev.wharf.proto.admin.v1.HistoryEntry;
import dev.wharf.proto.admin.v1.ListHistoryRequest;
import dev.wharf.proto.admin.v1.ListHistoryResponse;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.ListNodesResponse;
import dev.wharf.proto.admin.v1.ListObjectsRequest;
import dev.wharf.proto.admin.v1.ListObjectsResponse;
import dev.wharf.proto.admin.v1.NodeView;
import dev.wharf.proto.admin.v1.ObjectChange;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.admin.v1.PutObjectRequest;
import dev.wharf.proto.admin.v1.RollbackRequest;
import dev.wharf.proto.admin.v1.RolloutStatus;
import dev.wharf.proto.admin.v1.ServerInfo;
import dev.wharf.proto.admin.v1.WriteResponse;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An Admin service in memory that keeps the contract (admin.proto) as the real one must: writes
 * compare {@code expected_version} and are refused with FAILED_PRECONDITION +
 * ErrorInfo{STALE_VERSION, current_version}; configs go through the one validator and are refused
 * with INVALID_ARGUMENT + BadRequest field violations; tokens carry a role, and a viewer that
 * writes gets PERMISSION_DENIED. Fleet state (nodes, rollouts, health) is set by the test.
 * Thread-safe: every method holds the one lock.
 */
public final class FakeAdmin extends AdminGrpc.AdminImplBase {
  private final FakeAuth auth = new FakeAuth();
  private final Map<Long, Config> configs = new HashMap<>();
  private final List<HistoryEntry> history = new ArrayList<>();
  private final Deque<RolloutStatus> rollouts = new ArrayDeque<>();
  private final Map<String, List<EndpointHealth>> health = new HashMap<>();
  private final List<String> drained = new ArrayList<>();
  private final AtomicInteger rolloutPolls = new AtomicInteger();
  private Config config = Config.getDefaultInstance();
  private long version;
  private List<NodeView> nodes = List.of();
  private final Deque<List<NodeView>> fleets = new ArrayDeque<>();
  private int bumpAfterNextRead;
  private boolean silent;
  private int leaveAfter = -1;
  private Instant now = Instant.parse("2025-03-01T09:30:00Z");

  /** The service, behind the authentication and call counting the tests look at. */
  ServerServiceDefinition definition() {
    return ServerInterceptors.intercept(this, auth);
  }

  // ---- what a test sets up

  /** Commits {@code c} as the next version, as {@code setup} would have. */
  public synchronized FakeAdmin commit(Config c) {
    commit(c, "setup", FakeDiff.between(config, c));
    return this;
  }

  /** Moves the version on without changing objects, as another writer's commit would. */
  public synchronized FakeAdmin atVersion(long v) {
    version = v;
    configs.put(v, config);
    return this;
  }

  public FakeAdmin token(String token, String principal, boolean admin) {
    auth.token(token, principal, admin);
    return this;
  }

  /** Right after answering the next read, someone else commits {@code versions} times. */
  public synchronized FakeAdmin bumpVersionAfterNextRead(int versions) {
    bumpAfterNextRead = versions;
    return this;
  }

  /** Answers nothing, ever: calls run into their deadline. */
  public synchronized FakeAdmin silent() {
    silent = true;
    return this;
  }

  public synchronized FakeAdmin nodes(List<NodeView> n) {
    nodes = List.copyOf(n);
    return this;
  }

  /**
   * ListNodes answers these fleets in turn (the first one also before any ListNodes, for
   * DrainNode), then the last one again and again, unless drained nodes leave it.
   */
  public synchronized FakeAdmin fleets(List<List<NodeView>> inTurn) {
    fleets.clear();
    inTurn.forEach(f -> fleets.add(List.copyOf(f)));
    nodes = fleets.peek();
    return this;
  }

  /** GetRollout answers these in turn; the last one again and again. */
  public synchronized FakeAdmin rollouts(RolloutStatus... answers) {
    rollouts.addAll(List.of(answers));
    return this;
  }

  public synchronized FakeAdmin health(String upstream, List<EndpointHealth> endpoints) {
    health.put(upstream, List.copyOf(endpoints));
    return this;
  }

  // ---- what a test looks at

  public int calls() {
    return auth.calls();
  }

  public List<String> authorizations() {
    return auth.authorizations();
  }

  public synchronized Config config() {
    return config;
  }

  public synchronized long version() {
    return version;
  }

  public synchronized Route route(String name) {
    return config.getRoutesList().stream()
        .filter(r -> r.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no route " + name + " in " + config));
  }

  synchronized List<HistoryEntry> history() {
    return List.copyOf(history);
  }

  public synchronized List<String> drained() {
    return List.copyOf(drained);
  }

  public int rolloutPolls() {
    return rolloutPolls.get();
  }

  // ---- the service

  @Override
  public void getConfig(GetConfigRequest request, StreamObserver<GetConfigResponse> out) {
    answer(
        out,
        () -> read(GetConfigResponse.newBuilder().setVersion(version).setConfig(config).build()));
  }

  @Override
  public void getObject(GetObjectRequest request, StreamObserver<GetObjectResponse> out) {
    answer(
        out,
        () ->
            read(
                GetObjectResponse.newBuilder()
                    .setVersion(version)
                    .setObject(
                        ConfigEdits.objects(config, request.getKind()).stream()
                            .filter(o -> ConfigEdits.name(o).equals(request.getName()))
                            .findFirst()
                            .orElseThrow(() -> notFound(request.getKind(), request.getName())))
                    .build()));
  }

  @Override
  public void listObjects(ListObjectsRequest request, StreamObserver<ListObjectsResponse> out) {
    answer(
        out,
        () -> {
          List<ConfigObject> list = new ArrayList<>(ConfigEdits.objects(config, request.getKind()));
          if (request.getKind() != ObjectKind.OBJECT_KIND_ROUTE) {
            list.sort(Comparator.comparing(ConfigEdits::name));
          }
          return read(
              ListObjectsResponse.newBuilder().setVersion(version).addAllObjects(list).build());
        });
  }

  @Override
  public void putObject(PutObjectRequest request, StreamObserver<WriteResponse> out) {
    answer(
        out,
        () -> {
          checkVersion(request.getExpectedVersion());
          ConfigObject object = request.getObject();
          if (ConfigEdits.exists(config, object) && request.getCreateOnly()) {
            throw Status.ALREADY_EXISTS
                .withDescription(
                    Kinds.name(Kinds.of(object))
                        + " '"
                        + ConfigEdits.name(object)
                        + "' already exists")
                .asRuntimeException();
          }
          return write(
              ConfigEdits.put(config, object, request.getBeforeRoute()),
              WriteResponse.newBuilder());
        });
  }

  @Override
  public void deleteObject(DeleteObjectRequest request, StreamObserver<WriteResponse> out) {
    answer(
        out,
        () -> {
          checkVersion(request.getExpectedVersion());
          Config next =
              ConfigEdits.delete(config, request.getKind(), request.getName())
                  .orElseThrow(() -> notFound(request.getKind(), request.getName()));
          return write(next, WriteResponse.newBuilder());
        });
  }

  @Override
  public void apply(ApplyRequest request, StreamObserver<ApplyResponse> out) {
    answer(
        out,
        () -> {
          checkVersion(request.getExpectedVersion());
          validate(request.getConfig());
          List<ObjectChange> changes = FakeDiff.between(config, request.getConfig());
          if (!request.getDryRun() && !changes.isEmpty()) {
            commit(request.getConfig(), principal(), changes);
          }
          return ApplyResponse.newBuilder()
              .setVersion(version)
              .addAllChanges(changes)
              .setDryRun(request.getDryRun())
              .build();
        });
  }

  @Override
  public void listHistory(ListHistoryRequest request, StreamObserver<ListHistoryResponse> out) {
    answer(
        out,
        () -> {
          int limit = request.getLimit() == 0 ? 20 : request.getLimit();
          List<HistoryEntry> newestFirst = new ArrayList<>(history);
          java.util.Collections.reverse(newestFirst);
          return ListHistoryResponse.newBuilder()
              .addAllEntries(newestFirst.subList(0, Math.min(limit, newestFirst.size())))
              .build();
        });
  }

  @Override
  public void rollback(RollbackRequest request, StreamObserver<WriteResponse> out) {
    answer(
        out,
        () -> {
          checkVersion(request.getExpectedVersion());
          Config past = configs.get(request.getToVersion());
          if (past == null) {
            throw Status.NOT_FOUND
                .withDescription("no version " + request.getToVersion() + " in the history")
                .asRuntimeException();
          }
          return write(past, WriteResponse.newBuilder());
        });
  }

  /** A node asked to drain leaves the fleet after this many more ListNodes (-1: never). */
  public synchronized FakeAdmin drainedNodesLeaveAfter(int polls) {
    leaveAfter = polls;
    return this;
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
    answer(
        out,
        () -> {
          if (!fleets.isEmpty()) {
            nodes = fleets.size() > 1 ? fleets.poll() : fleets.peek();
          }
          if (!drained.isEmpty() && leaveAfter >= 0 && leaveAfter-- == 0) {
            fleets.clear();
            nodes =
                nodes.stream().filter(n -> !drained.contains(n.getStatus().getNodeId())).toList();
          }
          return ListNodesResponse.newBuilder()
              .setLatestVersion(version)
              .addAllNodes(nodes)
              .build();
        });
  }

  @Override
  public void getRollout(GetRolloutRequest request, StreamObserver<RolloutStatus> out) {
    answer(
        out,
        () -> {
          rolloutPolls.incrementAndGet();
          if (rollouts.isEmpty()) {
            return RolloutStatus.newBuilder().setVersion(version).build();
          }
          return rollouts.size() > 1 ? rollouts.poll() : rollouts.peek();
        });
  }

  @Override
  public void getEndpointHealth(
      GetEndpointHealthRequest request, StreamObserver<GetEndpointHealthResponse> out) {
    answer(
        out,
        () -> {
          String upstream = request.getUpstream();
          if (config.getUpstreamsList().stream().noneMatch(u -> u.getName().equals(upstream))) {
            throw notFound(ObjectKind.OBJECT_KIND_UPSTREAM, request.getUpstream());
          }
          return GetEndpointHealthResponse.newBuilder()
              .addAllEndpoints(health.getOrDefault(request.getUpstream(), List.of()))
              .build();
        });
  }

  @Override
  public void drainNode(DrainNodeRequest request, StreamObserver<DrainNodeResponse> out) {
    answer(
        out,
        () -> {
          NodeView node =
              nodes.stream()
                  .filter(n -> n.getStatus().getNodeId().equals(request.getNodeId()))
                  .findFirst()
                  .orElseThrow(
                      () ->
                          Status.NOT_FOUND
                              .withDescription(
                                  "no replica knows node '" + request.getNodeId() + "'")
                              .asRuntimeException());
          drained.add(request.getNodeId());
          return DrainNodeResponse.newBuilder().setReplica(node.getStatus().getReplica()).build();
        });
  }

  // ---- helpers, all called with the lock held

  private <T> void answer(StreamObserver<T> out, Supplier<T> body) {
    T response;
    synchronized (this) {
      if (silent) {
        return;
      }
      try {
        response = body.get();
      } catch (StatusRuntimeException e) {
        out.onError(e);
        return;
      }
    }
    out.onNext(response);
    out.onCompleted();
  }

  /** A read's answer; a commit someone else makes after it is decided here, before it is sent. */
  private <T> T read(T response) {
    if (bumpAfterNextRead > 0) {
      version += bumpAfterNextRead;
      configs.put(version, config);
      bumpAfterNextRead = 0;
    }
    return response;
  }

  private void checkVersion(long expected) {
    if (expected != version) {
      throw StatusProto.toStatusRuntimeException(
          com.google.rpc.Status.newBuilder()
              .setCode(Code.FAILED_PRECONDITION_VALUE)
              .setMessage("the config is at version " + version + ", not " + expected)
              .addDetails(
                  Any.pack(
                      ErrorInfo.newBuilder()
                          .setReason("STALE_VERSION")
                          .setDomain("wharf.dev")
                          .putMetadata("current_version", Long.toString(version))
                          .build()))
              .build());
    }
  }

  private static void validate(Config c) {
    List<ConfigError> errors = ConfigValidator.validate(c);
    if (errors.isEmpty()) {
      return;
    }
    BadRequest.Builder bad = BadRequest.newBuilder();
    errors.forEach(
        e ->
            bad.addFieldViolations(
                BadRequest.FieldViolation.newBuilder()
                    .setField(e.path())
                    .setDescription(e.message())));
    throw StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage(
                "the config would not validate ("
                    + errors.size()
                    + (errors.size() == 1 ? " error)" : " errors)"))
            .addDetails(Any.pack(bad.build()))
            .build());
  }

  private WriteResponse write(Config next, WriteResponse.Builder response) {
    validate(next);
    List<ObjectChange> changes = FakeDiff.between(config, next);
    if (!changes.isEmpty()) {
      commit(next, principal(), changes);
    }
    return response.setVersion(version).addAllChanges(changes).build();
  }

  private void commit(Config next, String principal, List<ObjectChange> changes) {
    config = next;
    version++;
    configs.put(version, next);
    String summary =
        String.join(
            ", ",
            changes.stream()
                .map(
                    c ->
                        switch (c.getAction()) {
                              case ACTION_CREATE -> "+ ";
                              case ACTION_DELETE -> "- ";
                              default -> "~ ";
                            }
                            + Kinds.name(c.getKind())
                            + " "
                            + c.getName())
                .toList());
    history.add(
        HistoryEntry.newBuilder()
            .setVersion(version)
            .setCommittedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()))
            .setPrincipal(principal)
            .setSummary(summary)
            .build());
    now = now.plusSeconds(60);
  }

  private static String principal() {
    String p = FakeAuth.PRINCIPAL.get();
    return p == null ? "setup" : p;
  }

  /** The answer of GetServerInfo, as a replica gives it. */
  public static final ServerInfo SERVER_INFO =
      ServerInfo.newBuilder()
          .setVersion("9.8.7")
          .setReplicaId("cp-fake")
          .setStore("etcd")
          .setRuntime("Java 17 (fake)")
          .setStartedAt(Timestamp.newBuilder().setSeconds(1740819600L))
          .build();

  @Override
  public void getServerInfo(GetServerInfoRequest request, StreamObserver<ServerInfo> out) {
    out.onNext(SERVER_INFO);
    out.onCompleted();
  }

  private static StatusRuntimeException notFound(ObjectKind kind, String name) {
    return Status.NOT_FOUND
        .withDescription("no " + Kinds.name(kind) + " named '" + name + "'")
        .asRuntimeException();
  }
}
