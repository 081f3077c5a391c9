package dev.wharf.controlplane.discovery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a stream's credential may claim the node id of its hello: the one check of a node's
 * identity, logged and counted here; the session ends a refused stream.
 */
final class HelloAdmission {
  private static final Logger log = LoggerFactory.getLogger(NodeSession.class);

  private HelloAdmission() {}

  /**
   * Null when {@code credential} may claim {@code nodeId} (warning when it is a token bound to no
   * node id); otherwise why not, as the stream's end description.
   */
  static String refusal(
      NodeCredential credential, String nodeId, String peer, DiscoveryMetrics metrics) {
    if (!credential.permits(nodeId)) {
      metrics.refusedNodeId();
      log.warn(
          "refused a discovery stream from {}: its hello claims node id '{}', but its "
              + "credential ({}) is for node ids: {}",
          peer,
          nodeId,
          credential.principal(),
          credential.allowed());
      return "hello claims node id '"
          + nodeId
          + "', but this credential is for node ids: "
          + credential.allowed();
    }
    if (credential.scope() == NodeCredential.Scope.UNBOUND) {
      metrics.unboundToken();
      log.warn(
          "node {} at {} connects with node token {}, which is bound to no node id: any "
              + "holder of it may connect as any node; name the node ids on its line (node TOKEN "
              + "{}) as docs/operations.md says",
          nodeId,
          peer,
          credential.principal(),
          nodeId);
    }
    return null;
  }
}
