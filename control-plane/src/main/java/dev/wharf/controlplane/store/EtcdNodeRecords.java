package dev.wharf.controlplane.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.wharf.proto.discovery.v1.NodeStatus;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node records under {@code <prefix>/v1/seen/<node-id>} (a serialized NodeStatus each, without a
 * lease) and retry requests under {@code <prefix>/v1/retries/<node-id>} (the version in decimal,
 * under a lease of {@link #RETRY_TTL_SECONDS} granted per request, so they clean themselves up).
 * Writes go in transactions of at most {@link #OPS_PER_TXN} operations (etcd's default limit is
 * 128).
 */
final class EtcdNodeRecords implements NodeRecords {
  private static final Logger log = LoggerFactory.getLogger(EtcdNodeRecords.class);
  static final long RETRY_TTL_SECONDS = 60;
  private static final int OPS_PER_TXN = 100;

  private final Client client;
  private final EtcdCalls calls;
  private final EtcdStoreSettings settings;
  private final RandomGenerator random;
  private final String seenPrefix;
  private final String retriesPrefix;
  private final Set<EtcdRetryWatch> watches = new CopyOnWriteArraySet<>();

  EtcdNodeRecords(
      Client client, EtcdCalls calls, EtcdStoreSettings settings, RandomGenerator random) {
    this.client = client;
    this.calls = calls;
    this.settings = settings;
    this.random = random;
    this.seenPrefix = settings.prefix() + "/v1/seen/";
    this.retriesPrefix = settings.prefix() + "/v1/retries/";
  }

  @Override
  public void write(List<NodeStatus> records) throws StoreException {
    List<Op> ops = new ArrayList<>();
    for (NodeStatus r : records) {
      ops.add(
          Op.put(
              key(seenPrefix, r.getNodeId()),
              ByteSequence.from(r.toByteString()),
              PutOption.DEFAULT));
    }
    commit(ops, List.of(), "writing " + records.size() + " node record(s)");
  }

  @Override
  public List<NodeStatus> list() throws StoreException {
    GetResponse response =
        calls.await(
            () ->
                client
                    .getKVClient()
                    .get(
                        key(seenPrefix, ""),
                        GetOption.builder().isPrefix(true).withSerializable(false).build()),
            "listing " + seenPrefix);
    List<NodeStatus> out = new ArrayList<>();
    for (KeyValue kv : response.getKvs()) {
      try {
        out.add(NodeStatus.parseFrom(kv.getValue().getBytes()));
      } catch (InvalidProtocolBufferException e) {
        log.warn("skipping {}: not a NodeStatus ({})", kv.getKey().toString(UTF_8), e.getMessage());
      }
    }
    return List.copyOf(out); // etcd lists in key order: by node id
  }

  @Override
  public void forget(List<String> nodeIds) throws StoreException {
    List<Op> ops = new ArrayList<>();
    for (String nodeId : nodeIds) {
      ops.add(Op.delete(key(seenPrefix, nodeId), DeleteOption.DEFAULT));
    }
    commit(ops, List.of(), "forgetting " + nodeIds.size() + " drained node(s)");
  }

  /** Each delete compares the value, so a record rewritten since the listing stays. */
  @Override
  public void prune(List<NodeStatus> records) throws StoreException {
    for (NodeStatus r : records) {
      ByteSequence key = key(seenPrefix, r.getNodeId());
      calls.await(
          () ->
              client
                  .getKVClient()
                  .txn()
                  .If(
                      new Cmp(
                          key, Cmp.Op.EQUAL, CmpTarget.value(ByteSequence.from(r.toByteString()))))
                  .Then(Op.delete(key, DeleteOption.DEFAULT))
                  .commit(),
          "pruning the record of node " + r.getNodeId());
    }
  }

  @Override
  public void requestRetry(List<String> nodeIds, long version) throws StoreException {
    if (nodeIds.isEmpty()) {
      return;
    }
    long lease =
        calls
            .await(
                () -> client.getLeaseClient().grant(RETRY_TTL_SECONDS),
                "granting a " + RETRY_TTL_SECONDS + " s lease")
            .getID();
    PutOption underLease = PutOption.builder().withLeaseId(lease).build();
    List<Op> ops = new ArrayList<>();
    for (String nodeId : nodeIds) {
      ops.add(
          Op.put(
              key(retriesPrefix, nodeId),
              ByteSequence.from(Long.toString(version), UTF_8),
              underLease));
    }
    commit(ops, List.of(), "asking to retry version " + version);
  }

  private void commit(List<Op> ops, List<Cmp> none, String what) throws StoreException {
    for (int from = 0; from < ops.size(); from += OPS_PER_TXN) {
      List<Op> chunk = ops.subList(from, Math.min(ops.size(), from + OPS_PER_TXN));
      calls.await(() -> client.getKVClient().txn().Then(chunk.toArray(Op[]::new)).commit(), what);
    }
  }

  @Override
  public synchronized ConfigStore.Subscription watchRetries(BiConsumer<String, Long> listener) {
    EtcdRetryWatch watch =
        new EtcdRetryWatch(
            client,
            calls,
            retriesPrefix,
            listener,
            settings.retries(random),
            settings.callTimeout(),
            watches::remove);
    watches.add(watch);
    watch.start();
    return watch;
  }

  void close() {
    watches.forEach(EtcdPrefixWatch::close);
  }

  static ByteSequence key(String prefix, String nodeId) {
    return ByteSequence.from(prefix + nodeId, UTF_8);
  }
}
