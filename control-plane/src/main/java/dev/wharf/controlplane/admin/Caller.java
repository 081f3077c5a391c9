package dev.wharf.controlplane.admin;

import io.grpc.Context;
import java.util.Objects;
import java.util.Set;

/**
 * Who makes the current call, as the replica's authentication established it: the principal
 * recorded with every write, its role, and for a node the node ids its credential is for.
 *
 * @param principal a token's name, {@code token:abc123...}, a client certificate's CN, {@code
 *     local} (a loopback caller of a replica without credentials configured) or {@code in-process}
 * @param nodeIds the node ids a node credential is bound to: a node token line's names, a node
 *     certificate's CN. Empty for every other caller, and for a node token that names no node
 *     (which may claim any node id; see docs/operations.md)
 */
public record Caller(String principal, Role role, Set<String> nodeIds) {
  /** A loopback caller of a replica that has no tokens or client CA configured. */
  public static final Caller LOCAL = new Caller("local", Role.ADMIN);

  /** Code in the replica's own process (standalone's node): trusted like an admin. */
  public static final Caller IN_PROCESS = new Caller("in-process", Role.ADMIN);

  private static final Context.Key<Caller> KEY = Context.key("wharf-caller");

  public Caller {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(role, "role");
    nodeIds = Set.copyOf(nodeIds);
  }

  /** A caller bound to no node id. */
  public Caller(String principal, Role role) {
    this(principal, role, Set.of());
  }

  /** {@code context} with this caller attached, for the call's service code. */
  public Context attachTo(Context context) {
    return context.withValue(KEY, this);
  }

  /** The caller of the current gRPC call; null outside an authenticated call. */
  public static Caller current() {
    return KEY.get();
  }
}
