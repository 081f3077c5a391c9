package dev.wharf.controlplane.store;

import dev.wharf.config.Timestamps;
import dev.wharf.proto.store.v1.DrainRequest;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drain requests under {@code <prefix>/v1/drains/<node-id>}, one {@link DrainRequest} each. They
 * are written without a lease, so a request outlives the replica that took it, and are deleted only
 * with the node's status ({@link EtcdNodeStatusStore#remove}), in the same transaction.
 *
 * <p>Threading: {@link #request} and {@link #list} block for at most a call timeout; each {@link
 * #watch} runs on its own thread, {@code wharf-store-drains}.
 */
final class EtcdDrainRequests {
  private static final Logger log = LoggerFactory.getLogger(EtcdDrainRequests.class);

  private final Client client;
  private final EtcdKeys keys;
  private final EtcdCalls calls;
  private final EtcdStoreSettings settings;
  private final Clock clock;
  private final RandomGenerator random;
  private final Set<EtcdPrefixWatch> watches = new CopyOnWriteArraySet<>();
  private volatile boolean closed;

  /** The node ids asked to drain, in key order, and the revision the read saw. */
  record Listing(long revision, List<String> nodeIds) {
    Listing {
      nodeIds = List.copyOf(nodeIds);
    }
  }

  EtcdDrainRequests(
      Client client,
      EtcdKeys keys,
      EtcdCalls calls,
      EtcdStoreSettings settings,
      Clock clock,
      RandomGenerator random) {
    this.client = client;
    this.keys = keys;
    this.calls = calls;
    this.settings = settings;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Records the request unless one stands already for {@code nodeId}: the first request stays as it
   * was, and watchers hear of each request once.
   */
  void request(String nodeId, String principal) throws StoreException {
    ByteSequence key = keys.drain(nodeId);
    DrainRequest request =
        DrainRequest.newBuilder()
            .setPrincipal(principal)
            .setRequestedAt(Timestamps.toProto(clock.instant()))
            .build();
    boolean recorded =
        calls
            .await(
                () ->
                    client
                        .getKVClient()
                        .txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                        .Then(
                            Op.put(
                                key, ByteSequence.from(request.toByteString()), PutOption.DEFAULT))
                        .commit(),
                "asking node " + nodeId + " to drain")
            .isSucceeded();
    if (recorded) {
      log.info("node {}: {} asked it to drain", nodeId, principal);
    }
  }

  /** The delete of {@code nodeId}'s request, for the transaction that removes its status. */
  Op clear(String nodeId) {
    return Op.delete(keys.drain(nodeId), DeleteOption.DEFAULT);
  }

  Listing list() throws StoreException {
    GetOption wholePrefix =
        GetOption.builder().isPrefix(true).withKeysOnly(true).withSerializable(false).build();
    GetResponse response =
        calls.await(
            () -> client.getKVClient().get(keys.drainsPrefix(), wholePrefix),
            "listing " + keys.describeDrainsPrefix());
    List<String> nodeIds = new ArrayList<>();
    for (KeyValue kv : response.getKvs()) {
      String nodeId = keys.drainedNode(kv.getKey());
      if (nodeId != null) {
        nodeIds.add(nodeId);
      }
    }
    return new Listing(response.getHeader().getRevision(), nodeIds);
  }

  synchronized ConfigStore.Subscription watch(Consumer<String> listener) {
    if (closed) {
      throw new IllegalStateException("the config store is closed");
    }
    EtcdDrainWatch watch =
        new EtcdDrainWatch(
            this,
            client.getWatchClient(),
            keys,
            listener,
            settings.retries(random),
            settings.callTimeout(),
            watches::remove);
    watches.add(watch);
    watch.start();
    return watch;
  }

  /** Stops every watch; later ones are refused. */
  void close() {
    synchronized (this) {
      closed = true;
    }
    watches.forEach(EtcdPrefixWatch::close);
  }
}
