package dev.wharf.cli;

import dev.wharf.common.BearerToken;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fake's authentication, as admin.proto describes it: {@code authorization: Bearer <token>},
 * tokens carry a role, a viewer that writes is PERMISSION_DENIED. With no token configured, every
 * caller is an anonymous admin. Counts calls and keeps what each sent, for the tests.
 */
final class FakeAuth implements ServerInterceptor {
  /** Who made the call, for the history. */
  static final Context.Key<String> PRINCIPAL = Context.key("principal");

  private static final Set<String> WRITES =
      Set.of("PutObject", "DeleteObject", "Apply", "Rollback", "DrainNode");

  private record Caller(String principal, boolean admin) {}

  private final Map<String, Caller> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger calls = new AtomicInteger();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  void token(String token, String principal, boolean admin) {
    tokens.put(token, new Caller(principal, admin));
  }

  int calls() {
    return calls.get();
  }

  /** The authorization metadata of each call, "" when there was none. */
  List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    calls.incrementAndGet();
    String auth = headers.get(BearerToken.AUTHORIZATION);
    authorizations.add(auth == null ? "" : auth);
    Caller caller =
        tokens.isEmpty()
            ? new Caller("anonymous", true)
            : auth != null && auth.startsWith("Bearer ") ? tokens.get(auth.substring(7)) : null;
    if (caller == null) {
      call.close(
          Status.UNAUTHENTICATED.withDescription("missing or unknown token"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    String method = call.getMethodDescriptor().getBareMethodName();
    if (!caller.admin() && WRITES.contains(method)) {
      call.close(
          Status.PERMISSION_DENIED.withDescription(
              caller.principal() + " is a viewer and may not call " + method),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context context = Context.current().withValue(PRINCIPAL, caller.principal());
    return Contexts.interceptCall(context, call, headers, next);
  }
}
