package dev.wharf.controlplane.admin;

import dev.wharf.common.BuildInfo;
import dev.wharf.config.Timestamps;
import dev.wharf.proto.admin.v1.ServerInfo;
import java.time.Instant;
import java.util.Objects;

/**
 * What a replica says about itself through GetServerInfo: its build, its id, the kind of store it
 * keeps the config in, when it started. Fixed when the replica starts; answering reads nothing from
 * the store, so {@code wharfctl version} works while etcd is down. Immutable.
 */
public record ServerFacts(String replicaId, String storeKind, Instant startedAt) {
  public ServerFacts {
    Objects.requireNonNull(replicaId, "replicaId");
    Objects.requireNonNull(storeKind, "storeKind");
    Objects.requireNonNull(startedAt, "startedAt");
  }

  /**
   * The answer. The version is the one in the manifest of the jar the replica runs from (the
   * control plane's or the standalone's), {@code dev} when run from classes.
   */
  ServerInfo info() {
    return ServerInfo.newBuilder()
        .setVersion(BuildInfo.version(ServerFacts.class))
        .setReplicaId(replicaId)
        .setStore(storeKind)
        .setRuntime(BuildInfo.runtime())
        .setStartedAt(Timestamps.toProto(startedAt))
        .build();
  }
}
