package dev.wharf.controlplane.admin;

import dev.wharf.config.Timestamps;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.HistoryRecord;
import dev.wharf.controlplane.store.StaleVersionException;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.DeleteObjectRequest;
import dev.wharf.proto.admin.v1.DrainNodeRequest;
import dev.wharf.proto.admin.v1.DrainNodeResponse;
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
import dev.wharf.proto.admin.v1.ObjectChange;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.admin.v1.PutObjectRequest;
import dev.wharf.proto.admin.v1.RetryRolloutRequest;
import dev.wharf.proto.admin.v1.RetryRolloutResponse;
import dev.wharf.proto.admin.v1.RollbackRequest;
import dev.wharf.proto.admin.v1.RolloutStatus;
import dev.wharf.proto.admin.v1.ServerInfo;
import dev.wharf.proto.admin.v1.WriteResponse;
import dev.wharf.proto.config.v1.Config;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Admin API (admin.proto) over a {@link ConfigStore}, served by every replica.
 *
 * <p>Every write ({@link ConfigWrites}) reads the current config, refuses at once if its {@code
 * expected_version} is not the current one, builds the whole new config, validates it with the
 * shared validator and commits it with the store's compare-and-set on that version, so a write that
 * races another one is refused too (FAILED_PRECONDITION), never merged with it. Apply ({@link
 * Applies}) merges its document into the config it read, object by object, unless it prunes. The
 * principal recorded with each version is the authenticated {@link Caller}.
 *
 * <p>Threading: calls run on the gRPC server's executor (never its event loops) and block on the
 * store, which bounds every call with its own deadline. The service keeps no state.
 */
public final class AdminService extends AdminGrpc.AdminImplBase {
  private static final Logger log = LoggerFactory.getLogger(AdminService.class);
  static final int DEFAULT_HISTORY = 20;

  private final ConfigStore store;
  private final Fleet fleet;
  private final ConfigWrites writes;
  private final Applies applies;
  private final ServerFacts facts;

  public AdminService(ConfigStore store, ServerFacts facts) {
    this.store = Objects.requireNonNull(store, "store");
    this.fleet = new Fleet(store);
    this.writes = new ConfigWrites(store);
    this.applies = new Applies(store, writes);
    this.facts = Objects.requireNonNull(facts, "facts");
  }

  @Override
  public void getConfig(GetConfigRequest request, StreamObserver<GetConfigResponse> response) {
    answer(
        response,
        "GetConfig",
        () -> {
          VersionedConfig current = store.read();
          return GetConfigResponse.newBuilder()
              .setVersion(current.version())
              .setConfig(current.config())
              .build();
        });
  }

  @Override
  public void getObject(GetObjectRequest request, StreamObserver<GetObjectResponse> response) {
    answer(
        response,
        "GetObject",
        () -> {
          ObjectKind kind = requireKind(request.getKind(), "kind");
          String name = requireName(request.getName(), "name");
          VersionedConfig current = store.read();
          ConfigObject object =
              ObjectKinds.find(current.config(), kind, name)
                  .orElseThrow(() -> notFound(kind, name, current.version()));
          return GetObjectResponse.newBuilder()
              .setVersion(current.version())
              .setObject(object)
              .build();
        });
  }

  @Override
  public void listObjects(
      ListObjectsRequest request, StreamObserver<ListObjectsResponse> response) {
    answer(
        response,
        "ListObjects",
        () -> {
          ObjectKind kind = requireKind(request.getKind(), "kind");
          VersionedConfig current = store.read();
          return ListObjectsResponse.newBuilder()
              .setVersion(current.version())
              .addAllObjects(ObjectKinds.list(current.config(), kind))
              .build();
        });
  }

  @Override
  public void putObject(PutObjectRequest request, StreamObserver<WriteResponse> response) {
    answer(
        response,
        "PutObject",
        () -> {
          if (!request.hasObject()) {
            throw AdminErrors.invalidField("object", "required (a listener, upstream or route)");
          }
          ConfigObject object = request.getObject();
          ObjectKind kind = requireKind(ObjectKinds.kindOf(object), "object");
          String name = requireName(ObjectKinds.nameOf(object), ObjectKinds.namePath(kind));
          String noun = ObjectKinds.noun(kind);
          return write(
              request.getExpectedVersion(),
              current -> {
                if (request.getCreateOnly() && ObjectKinds.find(current, kind, name).isPresent()) {
                  throw AdminErrors.alreadyExists(noun + " '" + name + "' already exists");
                }
                return ConfigEdits.put(current, object, request.getBeforeRoute());
              },
              changes -> "put " + noun + " " + name);
        });
  }

  @Override
  public void deleteObject(DeleteObjectRequest request, StreamObserver<WriteResponse> response) {
    answer(
        response,
        "DeleteObject",
        () -> {
          ObjectKind kind = requireKind(request.getKind(), "kind");
          String name = requireName(request.getName(), "name");
          return write(
              request.getExpectedVersion(),
              current -> {
                if (ObjectKinds.find(current, kind, name).isEmpty()) {
                  throw notFound(kind, name, request.getExpectedVersion());
                }
                Config next = ConfigEdits.delete(current, kind, name);
                if (!request.getAllowEmpty()) {
                  Applies.requireNotEmptied(current, next);
                }
                return next;
              },
              changes -> "delete " + ObjectKinds.noun(kind) + " " + name);
        });
  }

  /** See {@link Applies}: merge per object by default, the whole config with {@code prune}. */
  @Override
  public void apply(ApplyRequest request, StreamObserver<ApplyResponse> response) {
    answer(response, "Apply", () -> applies.apply(request));
  }

  @Override
  public void listHistory(
      ListHistoryRequest request, StreamObserver<ListHistoryResponse> response) {
    answer(
        response,
        "ListHistory",
        () -> {
          int limit =
              request.getLimit() == 0
                  ? DEFAULT_HISTORY
                  : (int)
                      Math.min(
                          Integer.toUnsignedLong(request.getLimit()), ConfigStore.HISTORY_KEPT);
          ListHistoryResponse.Builder out = ListHistoryResponse.newBuilder();
          for (HistoryRecord h : store.history(limit)) {
            out.addEntries(
                HistoryEntry.newBuilder()
                    .setVersion(h.version())
                    .setCommittedAt(Timestamps.toProto(h.committedAt()))
                    .setPrincipal(h.principal())
                    .setSummary(h.summary()));
          }
          return out.build();
        });
  }

  @Override
  public void rollback(RollbackRequest request, StreamObserver<WriteResponse> response) {
    answer(
        response,
        "Rollback",
        () -> {
          long to = request.getToVersion();
          if (to == 0) {
            throw AdminErrors.invalidField("to_version", "required (a version from the history)");
          }
          Config past = PastVersions.config(store, to);
          return write(
              request.getExpectedVersion(), current -> past, changes -> "rollback to " + to);
        });
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> response) {
    answer(response, "ListNodes", fleet::listNodes);
  }

  @Override
  public void getRollout(GetRolloutRequest request, StreamObserver<RolloutStatus> response) {
    answer(response, "GetRollout", () -> fleet.rollout(request.getVersion()));
  }

  @Override
  public void getEndpointHealth(
      GetEndpointHealthRequest request, StreamObserver<GetEndpointHealthResponse> response) {
    answer(response, "GetEndpointHealth", () -> fleet.endpointHealth(request.getUpstream()));
  }

  @Override
  public void drainNode(DrainNodeRequest request, StreamObserver<DrainNodeResponse> response) {
    answer(
        response,
        "DrainNode",
        () -> {
          Caller caller = caller();
          DrainNodeResponse out = fleet.drain(request.getNodeId(), caller.principal());
          log.info(
              "{} asked node {} to drain (its replica: {})",
              caller.principal(),
              request.getNodeId(),
              out.getReplica());
          return out;
        });
  }

  @Override
  public void retryRollout(
      RetryRolloutRequest request, StreamObserver<RetryRolloutResponse> response) {
    answer(response, "RetryRollout", () -> new Retries(store).retry(request));
  }

  @Override
  public void getServerInfo(GetServerInfoRequest request, StreamObserver<ServerInfo> response) {
    answer(response, "GetServerInfo", facts::info);
  }

  private WriteResponse write(
      long expected, UnaryOperator<Config> edit, Function<List<ObjectChange>, String> summary)
      throws StoreException {
    return writes.write(expected, edit, summary);
  }

  private static Caller caller() {
    return ConfigWrites.caller();
  }

  private static ObjectKind requireKind(ObjectKind kind, String field) {
    if (kind == ObjectKind.OBJECT_KIND_UNSPECIFIED || kind == ObjectKind.UNRECOGNIZED) {
      throw AdminErrors.invalidField(field, "required (a listener, upstream or route)");
    }
    return kind;
  }

  private static String requireName(String name, String field) {
    if (name.isEmpty()) {
      throw AdminErrors.invalidField(field, "required");
    }
    return name;
  }

  private static StatusRuntimeException notFound(ObjectKind kind, String name, long version) {
    return AdminErrors.notFound(
        "no " + ObjectKinds.noun(kind) + " is named '" + name + "' in version " + version);
  }

  /** Runs one unary call and answers it: the response, or the error admin.proto says. */
  private static <T> void answer(StreamObserver<T> response, String rpc, StoreCall<T> call) {
    T result;
    try {
      result = call.run();
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    } catch (StaleVersionException e) {
      response.onError(AdminErrors.stale(e));
      return;
    } catch (StoreException e) {
      log.warn("Admin {}: the store failed: {}", rpc, e.getMessage());
      response.onError(AdminErrors.unavailable(e));
      return;
    } catch (RuntimeException e) {
      log.error("Admin {} failed", rpc, e);
      response.onError(
          Status.INTERNAL
              .withDescription(rpc + " failed inside the replica; its log has the details")
              .asRuntimeException());
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }

  /** One call's work, which may fail with the store's checked exception. */
  @FunctionalInterface
  private interface StoreCall<T> {
    T run() throws StoreException;
  }
}
