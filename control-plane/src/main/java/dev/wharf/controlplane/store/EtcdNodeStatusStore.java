package dev.wharf.controlplane.store;

import dev.wharf.common.Backoff;
import dev.wharf.proto.discovery.v1.NodeStatus;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node statuses under {@code <prefix>/v1/nodes/}, all written under one lease per store, which
 * jetcd keeps alive. Each write remembers the mod revision it got, so {@link #remove} deletes only
 * an entry this replica wrote last.
 *
 * <p>When the keep-alive reports the lease gone (expired during an outage, or revoked), a new lease
 * is granted and every status this replica wrote is put again, unless another replica wrote that
 * node since (its node moved): that happens on the {@code wharf-store-lease} thread, retried with
 * backoff, or on the next {@link #put}, whichever comes first.
 *
 * <p>Drain requests ({@link EtcdDrainRequests}) live beside the statuses, without a lease.
 *
 * <p>Threading: the methods block for at most a call timeout per etcd call and are serialized (one
 * lock), so the lease and the remembered revisions change together; only {@link #putAll}'s
 * transactions run outside the lock, and callers never write one node in two calls at once.
 */
final class EtcdNodeStatusStore implements NodeStatusStore {
  private static final Logger log = LoggerFactory.getLogger(EtcdNodeStatusStore.class);

  private final Client client;
  private final EtcdKeys keys;
  private final EtcdCalls calls;
  private final String replicaId;
  private final long ttlSeconds;
  private final Backoff.Retries backoff;
  private final ScheduledThreadPoolExecutor leaseThread;
  private final EtcdDrainRequests drains;
  private final EtcdStatusRange range;

  // Guarded by this.
  private final Map<String, Written> written = new HashMap<>();
  private long leaseId;
  private CloseableClient keepAlive;
  private boolean rewritePending;
  private boolean renewing;
  private boolean closed;

  /** A status as this replica last wrote it, and the mod revision the write got. */
  private record Written(NodeStatus status, long revision) {}

  EtcdNodeStatusStore(
      Client client,
      EtcdKeys keys,
      EtcdCalls calls,
      EtcdStoreSettings settings,
      RandomGenerator random,
      EtcdDrainRequests drains) {
    this.client = client;
    this.drains = drains;
    this.range = new EtcdStatusRange(client, keys, calls);
    this.keys = keys;
    this.calls = calls;
    this.replicaId = settings.replicaId();
    this.ttlSeconds = Math.max(1, (settings.leaseTtl().toMillis() + 999) / 1000);
    this.backoff = settings.retries(random);
    this.leaseThread =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread t = new Thread(runnable, "wharf-store-lease");
              t.setDaemon(true);
              return t;
            });
    this.leaseThread.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** As the interface says; a status without a replica is recorded as this replica's. */
  @Override
  public void put(NodeStatus status) throws StoreException {
    putAll(List.of(status));
  }

  /**
   * As the interface says, in a few concurrent transactions ({@link EtcdStatusRange}). The lock is
   * held for the lease and the remembered revisions, not while etcd commits: the status writer may
   * have a second batch in flight (of other nodes), which etcd then commits together with this one.
   */
  @Override
  public void putAll(List<NodeStatus> statuses) throws StoreException {
    List<NodeStatus> own = new ArrayList<>(statuses.size());
    for (NodeStatus status : statuses) {
      if (Objects.requireNonNull(status, "status").getNodeId().isEmpty()) {
        throw new IllegalArgumentException("status.node_id: empty");
      }
      own.add(
          status.getReplica().isEmpty()
              ? status.toBuilder().setReplica(replicaId).build()
              : status);
    }
    long lease;
    synchronized (this) {
      requireOpen();
      if (own.isEmpty()) {
        return;
      }
      lease = lease();
    }
    Map<String, Long> revisions;
    try {
      revisions = range.write(own, lease);
    } catch (StoreException e) {
      if (!isLeaseNotFound(e.getCause())) {
        throw e;
      }
      // The lease expired before the keep-alive said so: renew now rather than fail the caller.
      synchronized (this) {
        dropLease(lease);
        lease = lease();
      }
      revisions = range.write(own, lease);
    }
    synchronized (this) {
      for (NodeStatus status : own) {
        written.put(status.getNodeId(), new Written(status, revisions.get(status.getNodeId())));
      }
    }
  }

  /**
   * As the interface says; the node's drain request goes in the same transaction, so a node that
   * comes back later is not drained again. A node that moved to another replica keeps both.
   */
  @Override
  public synchronized void remove(String nodeId) throws StoreException {
    requireOpen();
    Written last = written.get(nodeId);
    if (last == null) {
      return;
    }
    ByteSequence key = keys.node(nodeId);
    calls.await(
        () ->
            client
                .getKVClient()
                .txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(last.revision())))
                .Then(Op.delete(key, DeleteOption.DEFAULT), drains.clear(nodeId))
                .commit(),
        "removing the status of node " + nodeId);
    // Deleted, or another replica wrote it since: either way it is no longer ours to renew.
    written.remove(nodeId);
  }

  @Override
  public List<NodeStatus> list() throws StoreException {
    requireOpen();
    return range.list();
  }

  /**
   * The current lease. A new one (after none, or a lost one) is granted, kept alive, and every
   * status this replica wrote is put again under it.
   */
  private long lease() throws StoreException {
    if (leaseId == 0) {
      long granted =
          calls
              .await(
                  () -> client.getLeaseClient().grant(ttlSeconds),
                  "granting a " + ttlSeconds + " s lease")
              .getID();
      leaseId = granted;
      keepAlive = client.getLeaseClient().keepAlive(granted, new KeepAliveObserver(granted));
      rewritePending = !written.isEmpty();
    }
    if (rewritePending) {
      try {
        rewriteAll(leaseId);
      } catch (StoreException e) {
        schedule(this::renew, backoff.next().toNanos());
        throw e;
      }
      rewritePending = false;
    }
    return leaseId;
  }

  /**
   * Puts every remembered status under {@code lease}, each only if its key was not written after
   * our last write (mod revision below ours + 1: ours, or deleted with the old lease).
   */
  private void rewriteAll(long lease) throws StoreException {
    int rewritten = 0;
    for (Written last : List.copyOf(written.values())) {
      ByteSequence key = keys.node(last.status().getNodeId());
      TxnResponse response =
          calls.await(
              () ->
                  client
                      .getKVClient()
                      .txn()
                      .If(new Cmp(key, Cmp.Op.LESS, CmpTarget.modRevision(last.revision() + 1)))
                      .Then(
                          Op.put(
                              key,
                              ByteSequence.from(last.status().toByteString()),
                              PutOption.builder().withLeaseId(lease).build()))
                      .commit(),
              "writing the status of node " + last.status().getNodeId() + " under a new lease");
      if (response.isSucceeded()) {
        written.put(
            last.status().getNodeId(),
            new Written(last.status(), response.getHeader().getRevision()));
        rewritten++;
      } else {
        written.remove(last.status().getNodeId());
      }
    }
    log.info(
        "node statuses of replica {}: lease {} replaces a lost one; {} status(es) written "
            + "again",
        replicaId,
        Long.toHexString(lease),
        rewritten);
  }

  /** Forgets {@code lease} if it is still the current one. */
  private void dropLease(long lease) {
    if (leaseId != lease) {
      return;
    }
    if (keepAlive != null) {
      keepAlive.close();
      keepAlive = null;
    }
    leaseId = 0;
  }

  /** On the lease thread: the keep-alive of {@code lease} ended, so it is gone or going. */
  private synchronized void leaseLost(long lease) {
    if (closed || leaseId != lease) {
      return;
    }
    log.warn(
        "node statuses of replica {}: lease {} was lost; granting a new one",
        replicaId,
        Long.toHexString(lease));
    dropLease(lease);
    renew();
  }

  private synchronized void renew() {
    renewing = false;
    if (closed || (leaseId != 0 && !rewritePending) || written.isEmpty()) {
      return;
    }
    try {
      lease();
      backoff.reset();
    } catch (StoreException e) {
      long pause = backoff.next().toNanos();
      log.debug(
          "node statuses: renewing the lease failed ({}); retrying in {} ms",
          e.getMessage(),
          TimeUnit.NANOSECONDS.toMillis(pause));
      schedule(this::renew, pause);
    }
  }

  private void schedule(Runnable task, long delayNanos) {
    try {
      if (!renewing) {
        renewing = true;
        leaseThread.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
      }
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private static boolean isLeaseNotFound(Throwable error) {
    return (error instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND)
        || (error != null && String.valueOf(error.getMessage()).contains("lease not found"));
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the config store is closed");
    }
  }

  /** Revokes the lease (best effort, one call timeout), so this replica's entries go now. */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    leaseThread.shutdownNow();
    long lease = leaseId;
    dropLease(lease);
    if (lease != 0) {
      try {
        calls.await(
            () -> client.getLeaseClient().revoke(lease),
            "revoking lease " + Long.toHexString(lease));
      } catch (StoreException e) {
        log.warn("node statuses: {}; they expire with the lease instead", e.getMessage());
      }
    }
  }

  /**
   * As the interface says: written without a lease (it must outlive this replica), and only if no
   * request stands for the node already. Not serialized with the status writes.
   */
  @Override
  public void requestDrain(String nodeId, String principal) throws StoreException {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(principal, "principal");
    if (nodeId.isEmpty()) {
      throw new IllegalArgumentException("nodeId: empty");
    }
    synchronized (this) {
      requireOpen();
    }
    drains.request(nodeId, principal);
  }

  /** As the interface says, on a thread of its own ({@code wharf-store-drains}). */
  @Override
  public ConfigStore.Subscription watchDrains(Consumer<String> listener) {
    return drains.watch(Objects.requireNonNull(listener, "listener"));
  }

  /** Hands keep-alive endings from jetcd's threads to the lease thread. */
  private final class KeepAliveObserver implements StreamObserver<LeaseKeepAliveResponse> {
    private final long lease;

    KeepAliveObserver(long lease) {
      this.lease = lease;
    }

    @Override
    public void onNext(LeaseKeepAliveResponse response) {}

    @Override
    public void onError(Throwable error) {
      // Other errors are a broken stream, which jetcd re-opens; if it cannot before the TTL
      // runs out, onCompleted follows.
      if (isLeaseNotFound(error)) {
        onLost();
      }
    }

    @Override
    public void onCompleted() {
      onLost();
    }

    private void onLost() {
      try {
        leaseThread.execute(() -> leaseLost(lease));
      } catch (RejectedExecutionException closing) {
        // closed meanwhile
      }
    }
  }
}
