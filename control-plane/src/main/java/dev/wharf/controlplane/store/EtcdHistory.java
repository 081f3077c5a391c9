package dev.wharf.controlplane.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.wharf.config.Timestamps;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.store.v1.Commit;
import dev.wharf.proto.store.v1.HistoryEntry;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit history under {@code <prefix>/v1/history/} (layout in store.proto): one {@link
 * HistoryEntry} per commit, written and pruned by the commit's own transaction, named after the
 * version the commit replaced; its mod revision is the version it records.
 *
 * <p>Pruning is bounded: a commit deletes at most {@link #PRUNED_PER_COMMIT} old entries, so its
 * transaction stays a few operations away from etcd's {@code --max-txn-ops} (128 by default)
 * whatever state it finds. Each commit adds one entry, so an excess (say, after {@link
 * ConfigStore#HISTORY_KEPT} was lowered) shrinks by three per commit until the history holds
 * exactly {@code HISTORY_KEPT} again, and stays there.
 *
 * <p>Threading: the methods block for at most a call timeout; callers are operator actions, not hot
 * paths.
 */
final class EtcdHistory {
  private static final Logger log = LoggerFactory.getLogger(EtcdHistory.class);

  /** Most old entries one commit deletes. */
  static final int PRUNED_PER_COMMIT = 4;

  private final Client client;
  private final EtcdKeys keys;
  private final EtcdCalls calls;

  EtcdHistory(Client client, EtcdKeys keys, EtcdCalls calls) {
    this.client = client;
    this.keys = keys;
    this.calls = calls;
  }

  /**
   * A read for the commit's first transaction: the oldest {@link #PRUNED_PER_COMMIT} entry keys,
   * and (in the response's count) how many entries there are.
   */
  Op readOldest() {
    return Op.get(
        keys.historyPrefix(),
        GetOption.builder()
            .isPrefix(true)
            .withKeysOnly(true)
            .withSortField(GetOption.SortTarget.KEY)
            .withSortOrder(GetOption.SortOrder.ASCEND)
            .withLimit(PRUNED_PER_COMMIT)
            .build());
  }

  /**
   * The writes that record a commit on {@code expectedVersion}: its entry, and the deletes of the
   * oldest entries beyond {@link ConfigStore#HISTORY_KEPT} once it is added.
   *
   * @param oldest the answer to {@link #readOldest()}, read with the config the commit replaces
   */
  List<Op> record(long expectedVersion, Commit commit, Config config, GetResponse oldest) {
    ByteSequence entryKey = keys.history(expectedVersion);
    HistoryEntry entry = HistoryEntry.newBuilder().setCommit(commit).setConfig(config).build();
    List<Op> writes = new ArrayList<>();
    writes.add(Op.put(entryKey, ByteSequence.from(entry.toByteString()), PutOption.DEFAULT));
    long excess = oldest.getCount() + 1 - ConfigStore.HISTORY_KEPT;
    for (KeyValue kv : oldest.getKvs()) {
      if (excess <= 0) {
        break;
      }
      // Only if the commit key was deleted outside Wharf can a version repeat; etcd refuses a
      // transaction that puts and deletes one key, and the put replaces the entry anyway.
      if (!kv.getKey().equals(entryKey)) {
        writes.add(Op.delete(kv.getKey(), DeleteOption.DEFAULT));
        excess--;
      }
    }
    return writes;
  }

  /** As {@link ConfigStore#history}: one read, newest entry first. */
  List<HistoryRecord> list(int limit) throws StoreException {
    HistoryRecord.requireLimit(limit);
    GetOption newestFirst =
        GetOption.builder()
            .isPrefix(true)
            .withSortField(GetOption.SortTarget.KEY)
            .withSortOrder(GetOption.SortOrder.DESCEND)
            .withLimit(limit)
            .build();
    GetResponse response =
        calls.await(
            () -> client.getKVClient().get(keys.historyPrefix(), newestFirst),
            "reading " + keys.describeHistoryPrefix());
    List<HistoryRecord> records = new ArrayList<>();
    for (KeyValue kv : response.getKvs()) {
      try {
        Commit commit = HistoryEntry.parseFrom(kv.getValue().getBytes()).getCommit();
        records.add(
            new HistoryRecord(
                kv.getModRevision(),
                Timestamps.toJava(commit.getCommittedAt()),
                commit.getPrincipal(),
                commit.getSummary()));
      } catch (InvalidProtocolBufferException e) {
        log.warn(
            "skipping {}: not a HistoryEntry ({})", kv.getKey().toString(UTF_8), e.getMessage());
      }
    }
    return List.copyOf(records);
  }

  /**
   * As {@link ConfigStore#version}. The entry of {@code version} is named after the version before
   * it, so it is the last key below {@code history(version)}: one read of one key.
   */
  Optional<VersionedConfig> version(long version) throws StoreException {
    HistoryRecord.requireVersion(version);
    if (version == 0) {
      return Optional.empty(); // the empty store: no commit made it
    }
    GetOption lastBefore =
        GetOption.builder()
            .withRange(keys.history(version))
            .withSortField(GetOption.SortTarget.KEY)
            .withSortOrder(GetOption.SortOrder.DESCEND)
            .withLimit(1)
            .build();
    GetResponse response =
        calls.await(
            () -> client.getKVClient().get(keys.historyPrefix(), lastBefore),
            "reading version " + version + " under " + keys.describeHistoryPrefix());
    if (response.getKvs().isEmpty() || response.getKvs().get(0).getModRevision() != version) {
      return Optional.empty(); // never a version, or pruned
    }
    KeyValue kv = response.getKvs().get(0);
    HistoryEntry entry;
    try {
      entry = HistoryEntry.parseFrom(kv.getValue().getBytes());
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException(
          "the history entry "
              + kv.getKey().toString(UTF_8)
              + " of version "
              + version
              + " does not parse: "
              + e.getMessage(),
          e);
    }
    return Optional.of(
        new VersionedConfig(
            version, entry.getConfig(), Timestamps.toJava(entry.getCommit().getCommittedAt())));
  }
}
