package dev.wharf.controlplane.discovery;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which node ids the credential of one discovery stream may say hello as. The transport builds it
 * from the call's authenticated caller ({@link NodeStream}); {@link NodeSession} checks the hello
 * against it, and only a hello that passes can replace a live stream of the same node.
 *
 * @param principal who the credential stands for, as logs show it (a token line's names, a
 *     certificate's CN, {@code token:abc123...}); never the token itself
 * @param scope how far the credential reaches
 * @param nodeIds the node ids of a {@link Scope#BOUND} credential; empty otherwise
 */
record NodeCredential(String principal, Scope scope, Set<String> nodeIds) {
  /** How far a credential reaches. */
  enum Scope {
    /** Bound to {@link #nodeIds}: a node token line with names, a node certificate. */
    BOUND,
    /** A node token whose line names no node: any node id, with a warning per stream. */
    UNBOUND,
    /** An admin, a loopback caller without credentials configured, or this process: any. */
    ANY
  }

  /** Streams served without authentication (tests of the protocol alone). */
  static final NodeCredential UNAUTHENTICATED =
      new NodeCredential("unauthenticated", Scope.ANY, Set.of());

  NodeCredential {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(scope, "scope");
    nodeIds = Set.copyOf(nodeIds);
    if ((scope == Scope.BOUND) == nodeIds.isEmpty()) {
      throw new IllegalArgumentException(
          "nodeIds: " + nodeIds + " (expected: some for a " + "bound credential, none otherwise)");
    }
  }

  /** Whether a hello from this credential may claim {@code nodeId}. */
  boolean permits(String nodeId) {
    return scope != Scope.BOUND || nodeIds.contains(nodeId);
  }

  /** {@code edge-1, edge-2}: the ids a bound credential may claim, sorted, for messages. */
  String allowed() {
    return scope == Scope.BOUND ? String.join(", ", new TreeSet<>(nodeIds)) : "any";
  }
}
