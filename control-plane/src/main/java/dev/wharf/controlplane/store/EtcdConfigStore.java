package dev.wharf.controlplane.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.wharf.config.Timestamps;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.store.v1.Commit;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The config in etcd, one key per object (layout in store.proto). The version is the mod revision
 * of the commit key, which every change rewrites in the same transaction as its objects;
 * node-status writes move etcd's revision but never the config version. The same transaction
 * records the commit in the history and prunes it ({@link EtcdHistory}).
 *
 * <p>Threading: {@link #read}, {@link #commit} and the {@link #nodes()} methods block the caller
 * for at most the call timeout per etcd call (a commit makes two or three); do not call them from
 * an event loop. Each {@link #watch} runs on its own thread ({@code wharf-store-watch}), each drain
 * watch on its own ({@code wharf-store-drains}); jetcd callbacks only hand work to them.
 */
public final class EtcdConfigStore implements ConfigStore {
  private final EtcdStoreSettings settings;
  private final Client client;
  private final EtcdKeys keys;
  private final EtcdCalls calls;
  private final Clock clock;
  private final RandomGenerator random;
  private final EtcdDrainRequests drains;
  private final EtcdNodeStatusStore nodes;
  private final EtcdHistory history;
  private final EtcdReplicaDirectory replicas;
  private final EtcdNodeRecords records;
  private final Set<EtcdConfigWatch> watches = new CopyOnWriteArraySet<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private EtcdConfigStore(EtcdStoreSettings settings, Clock clock, RandomGenerator random) {
    this.settings = settings;
    this.clock = clock;
    this.random = random;
    this.keys = new EtcdKeys(settings.prefix());
    this.calls = new EtcdCalls(settings.endpoints(), settings.callTimeout());
    this.client =
        Client.builder()
            .endpoints(settings.endpoints())
            .connectTimeout(settings.callTimeout())
            .interceptor(EtcdCalls.unaryDeadline(settings.callTimeout()))
            .build();
    this.drains = new EtcdDrainRequests(client, keys, calls, settings, clock, random);
    this.nodes = new EtcdNodeStatusStore(client, keys, calls, settings, random, drains);
    this.history = new EtcdHistory(client, keys, calls);
    this.replicas =
        new EtcdReplicaDirectory(client, calls, settings.prefix(), settings.replicaId());
    this.records = new EtcdNodeRecords(client, calls, settings, random);
  }

  @Override
  public NodeRecords nodeRecords() {
    return records;
  }

  /** A store on the system clock. Connects lazily: nothing fails here if etcd is down. */
  public static EtcdConfigStore connect(EtcdStoreSettings settings) {
    return connect(settings, Clock.systemUTC(), RandomGenerator.getDefault());
  }

  /** A store stamping commits with {@code clock} and drawing retry jitter from {@code random}. */
  public static EtcdConfigStore connect(
      EtcdStoreSettings settings, Clock clock, RandomGenerator random) {
    return new EtcdConfigStore(
        Objects.requireNonNull(settings, "settings"),
        Objects.requireNonNull(clock, "clock"),
        Objects.requireNonNull(random, "random"));
  }

  @Override
  public VersionedConfig read() throws StoreException {
    return list().toVersionedConfig();
  }

  /** One linearizable read of the config prefix. */
  EtcdListing list() throws StoreException {
    GetOption wholePrefix = GetOption.builder().isPrefix(true).withSerializable(false).build();
    GetResponse response =
        calls.await(
            () -> client.getKVClient().get(keys.configPrefix(), wholePrefix),
            "reading " + keys.describeConfigPrefix());
    return EtcdListing.of(response, keys);
  }

  @Override
  public long commit(long expectedVersion, Config config, String principal, String summary)
      throws StoreException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(summary, "summary");
    ConfigObjects desired = ConfigObjects.of(config);
    // The config and the oldest history entries in one read, so the prune below is decided on
    // the history of exactly the version the guard checks.
    GetOption wholePrefix = GetOption.builder().isPrefix(true).build();
    TxnResponse read =
        calls.await(
            () ->
                client
                    .getKVClient()
                    .txn()
                    .Then(Op.get(keys.configPrefix(), wholePrefix), history.readOldest())
                    .commit(),
            "reading " + keys.describeConfigPrefix() + " and " + keys.describeHistoryPrefix());
    EtcdListing current = EtcdListing.of(read.getGetResponses().get(0), keys);
    if (current.version() != expectedVersion) {
      throw new StaleVersionException(expectedVersion, current.version());
    }
    List<Op> changes = changes(current, desired);
    if (changes.isEmpty() && current.commit().getRouteOrderList().equals(desired.routeOrder())) {
      return current.version();
    }
    Commit record =
        Commit.newBuilder()
            .addAllRouteOrder(desired.routeOrder())
            .setPrincipal(principal)
            .setSummary(summary)
            .setCommittedAt(Timestamps.toProto(clock.instant()))
            .build();
    changes.add(Op.put(keys.commit(), bytes(record.toByteString()), PutOption.DEFAULT));
    changes.addAll(
        history.record(expectedVersion, record, desired.toConfig(), read.getGetResponses().get(1)));
    // Version 0 is "the commit key does not exist": its version (write count) is then 0.
    Cmp unchanged =
        expectedVersion == 0
            ? new Cmp(keys.commit(), Cmp.Op.EQUAL, CmpTarget.version(0))
            : new Cmp(keys.commit(), Cmp.Op.EQUAL, CmpTarget.modRevision(expectedVersion));
    Op[] writes = changes.toArray(Op[]::new);
    TxnResponse response =
        calls.await(
            () -> client.getKVClient().txn().If(unchanged).Then(writes).commit(),
            "committing "
                + changes.size()
                + " change(s) under "
                + keys.describeConfigPrefix()
                + " on version "
                + expectedVersion);
    if (!response.isSucceeded()) {
      throw new StaleVersionException(expectedVersion, currentVersion());
    }
    return response.getHeader().getRevision();
  }

  /**
   * Puts of the objects that are new or differ from the stored ones, deletes of the stored ones
   * that are gone. A stored value that does not parse counts as different, so a commit repairs it
   * rather than failing on it.
   */
  private List<Op> changes(EtcdListing current, ConfigObjects desired) {
    List<Op> changes = new ArrayList<>();
    for (Map.Entry<String, Message> object : desired.objects().entrySet()) {
      ByteString stored = current.values().get(object.getKey());
      if (stored == null || !parsesTo(stored, object.getValue())) {
        changes.add(
            Op.put(
                keys.object(object.getKey()),
                bytes(object.getValue().toByteString()),
                PutOption.DEFAULT));
      }
    }
    for (String key : current.values().keySet()) {
      if (!desired.objects().containsKey(key) && ConfigObjects.parserFor(key) != null) {
        changes.add(Op.delete(keys.object(key), DeleteOption.DEFAULT));
      }
    }
    return changes;
  }

  private static boolean parsesTo(ByteString stored, Message wanted) {
    try {
      return wanted.getParserForType().parseFrom(stored).equals(wanted);
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  private long currentVersion() throws StoreException {
    GetResponse response =
        calls.await(
            () -> client.getKVClient().get(keys.commit()),
            "reading " + keys.describeConfigPrefix() + EtcdKeys.COMMIT);
    return response.getKvs().isEmpty() ? 0 : response.getKvs().get(0).getModRevision();
  }

  @Override
  public Subscription watch(Consumer<VersionedConfig> listener) {
    EtcdConfigWatch watch = newWatch(listener);
    watch.start();
    return watch;
  }

  /**
   * Test hook: watches from {@code revision} without listing first, as a watch that fell behind
   * would. Until its first re-list it knows no objects, so only a compacted {@code revision} (which
   * makes it re-list at once) gives meaningful deliveries.
   */
  Subscription watchFrom(long revision, Consumer<VersionedConfig> listener) {
    EtcdConfigWatch watch = newWatch(listener);
    watch.startAt(revision);
    return watch;
  }

  private EtcdConfigWatch newWatch(Consumer<VersionedConfig> listener) {
    EtcdConfigWatch watch =
        new EtcdConfigWatch(
            this,
            client.getWatchClient(),
            keys,
            Objects.requireNonNull(listener, "listener"),
            settings.retries(random),
            settings.callTimeout(),
            watches::remove);
    watches.add(watch);
    return watch;
  }

  @Override
  public NodeStatusStore nodes() {
    return nodes;
  }

  @Override
  public String kind() {
    return "etcd";
  }

  /** As the interface says: this replica is the one named in the store's settings. */
  @Override
  public Optional<ReplicaDirectory> replicas() {
    return Optional.of(replicas);
  }

  /** As the interface says: one of this store's config watches is established. */
  @Override
  public boolean reachable() {
    return watches.stream().anyMatch(EtcdPrefixWatch::isEstablished);
  }

  /**
   * Stops every watch (of the config and of drain requests), revokes this replica's lease (so its
   * node statuses disappear now rather than when the lease expires) and closes the etcd client.
   * Drain requests stay: they outlive the replica that took them.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    watches.forEach(EtcdConfigWatch::close);
    drains.close();
    records.close();
    nodes.close();
    replicas.close();
    client.close();
  }

  private static ByteSequence bytes(ByteString value) {
    return ByteSequence.from(value);
  }

  /** As the interface says: one read of at most {@code limit} entries (each config whole). */
  @Override
  public List<HistoryRecord> history(int limit) throws StoreException {
    return history.list(limit);
  }

  /** As the interface says: one read of one history entry. */
  @Override
  public Optional<VersionedConfig> version(long version) throws StoreException {
    return history.version(version);
  }
}
