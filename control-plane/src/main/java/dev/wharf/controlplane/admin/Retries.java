package dev.wharf.controlplane.admin;

import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.admin.v1.RetryRolloutRequest;
import dev.wharf.proto.admin.v1.RetryRolloutResponse;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * RetryRollout: a refused version is never pushed to the node again on its own (whichever replica
 * it connects to), so an operator who removed the cause (freed the port) asks for one more push.
 * The request goes through the store to the replica holding each node's stream ({@link
 * dev.wharf.controlplane.store.NodeRecords#requestRetry}). Only the latest version can be retried:
 * it is the only one ever pushed.
 */
final class Retries {
  private final ConfigStore store;

  Retries(ConfigStore store) {
    this.store = store;
  }

  RetryRolloutResponse retry(RetryRolloutRequest request) throws StoreException {
    long latest = store.read().version();
    long wanted = request.getVersion() == 0 ? latest : request.getVersion();
    if (wanted != latest) {
      throw AdminErrors.invalidField(
          "version",
          wanted
              + " is not the latest version ("
              + latest
              + "): only the latest is pushed; retry it, or roll back to "
              + wanted);
    }
    Set<String> named = new LinkedHashSet<>(request.getNodeIdsList());
    List<String> retried = new ArrayList<>();
    for (NodeStatus node : FleetView.read(store)) {
      boolean refusedIt =
          node.getAckedVersion() < wanted
              && (node.getLastNackVersion() == wanted
                  || node.getRefusedVersionsList().contains(wanted));
      if (refusedIt && (named.isEmpty() || named.contains(node.getNodeId()))) {
        retried.add(node.getNodeId());
      }
    }
    if (!named.isEmpty() && retried.size() < named.size()) {
      Set<String> missing = new LinkedHashSet<>(named);
      retried.forEach(missing::remove);
      throw AdminErrors.notFound(
          "no node refused version " + wanted + " among: " + String.join(", ", missing));
    }
    store.nodeRecords().requestRetry(retried, wanted);
    return RetryRolloutResponse.newBuilder().setVersion(wanted).addAllNodeIds(retried).build();
  }
}
