package dev.wharf.controlplane.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * Replicas under {@code <prefix>/v1/replicas/<id>}, each key under a short lease of its own
 * (separate from the node statuses' lease). Every {@link #announce} grants a new lease, writes the
 * key under it and revokes the previous one: no keep-alive stream to lose, and a replica that stops
 * announcing (hung with SIGSTOP, cut off from etcd) drops out after {@link #TTL}.
 *
 * <p>Threading: called from one thread (the replica's rebalancing thread); blocks on etcd, with the
 * store's call deadline.
 */
final class EtcdReplicaDirectory implements ReplicaDirectory {
  /** How long an announcement lasts; replicas announce every {@code 2 s}. */
  static final Duration TTL = Duration.ofSeconds(5);

  private final Client client;
  private final EtcdCalls calls;
  private final String prefix;
  private final String replicaId;
  private long lease;

  EtcdReplicaDirectory(Client client, EtcdCalls calls, String storePrefix, String replicaId) {
    this.client = client;
    this.calls = calls;
    this.prefix = storePrefix + "/v1/replicas/";
    this.replicaId = replicaId;
  }

  @Override
  public synchronized Set<String> announce() throws StoreException {
    long previous = lease;
    long granted =
        calls
            .await(() -> client.getLeaseClient().grant(TTL.toSeconds()), "granting a replica lease")
            .getID();
    lease = granted;
    calls.await(
        () ->
            client
                .getKVClient()
                .put(
                    bytes(prefix + replicaId),
                    bytes(replicaId),
                    PutOption.builder().withLeaseId(granted).build()),
        "announcing replica " + replicaId);
    if (previous != 0) {
      client.getLeaseClient().revoke(previous); // best effort: it expires anyway
    }
    Set<String> live = new TreeSet<>();
    GetOption keysOnly = GetOption.builder().isPrefix(true).withKeysOnly(true).build();
    for (KeyValue kv :
        calls
            .await(() -> client.getKVClient().get(bytes(prefix), keysOnly), "listing " + prefix)
            .getKvs()) {
      live.add(kv.getKey().toString(UTF_8).substring(prefix.length()));
    }
    live.add(replicaId);
    return live;
  }

  /** Withdraws the announcement now (a replica stopping cleanly); best effort. */
  synchronized void close() {
    if (lease != 0) {
      client.getLeaseClient().revoke(lease);
      lease = 0;
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, UTF_8);
  }
}
