package dev.wharf.controlplane.store;

import java.util.Set;

/**
 * Which control-plane replicas are alive, for rebalancing: each replica announces itself every few
 * seconds, and an announcement lapses by itself when its replica stops renewing it (it died, hung
 * or lost the store). A store only one replica uses knows no others.
 */
public interface ReplicaDirectory {
  /**
   * Announces this replica (again) and returns the ids of every replica alive, this one included.
   */
  Set<String> announce() throws StoreException;
}
