package dev.wharf.controlplane.store;

import com.google.protobuf.ByteString;
import dev.wharf.common.Backoff;
import dev.wharf.config.Timestamps;
import dev.wharf.proto.store.v1.Commit;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.watch.WatchEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ConfigStore#watch}: list the config prefix, deliver, watch it from the listed revision
 * + 1, and deliver again whenever a revision rewrote the commit key. Runs on its own thread, {@code
 * wharf-store-watch} (see {@link EtcdPrefixWatch} for threading and retries).
 *
 * <p>etcd sends all events of one revision in one response, and a commit is one revision, so a
 * delivery always holds a whole commit. After compaction the watch lists again and delivers the
 * latest version; after any other failure it stays quiet (the last delivered version stays valid)
 * until it lists again.
 */
final class EtcdConfigWatch extends EtcdPrefixWatch {
  private static final Logger log = LoggerFactory.getLogger(EtcdConfigWatch.class);

  private final EtcdConfigStore store;
  private final EtcdKeys keys;
  private final Consumer<VersionedConfig> listener;

  // Confined to the watch thread.
  private final Map<String, ByteString> values = new HashMap<>();
  private Commit commit = Commit.getDefaultInstance();
  private volatile long delivered = -1;

  EtcdConfigWatch(
      EtcdConfigStore store,
      Watch watchClient,
      EtcdKeys keys,
      Consumer<VersionedConfig> listener,
      Backoff.Retries backoff,
      Duration callTimeout,
      Consumer<EtcdPrefixWatch> onClose) {
    super(
        watchClient,
        keys.configPrefix(),
        keys.describeConfigPrefix(),
        "config watch",
        "wharf-store-watch",
        backoff,
        callTimeout,
        onClose);
    this.store = store;
    this.keys = keys;
    this.listener = listener;
  }

  @Override
  long listAndDeliver() throws StoreException {
    EtcdListing listing = store.list();
    values.clear();
    values.putAll(listing.values());
    commit = listing.commit();
    deliver(listing.version());
    return listing.revision();
  }

  /** Applies events revision by revision, delivering after each revision that committed. */
  @Override
  void apply(List<WatchEvent> events) throws StoreException {
    long committed = 0;
    for (WatchEvent event : events) {
      KeyValue kv = event.getKeyValue();
      if (committed != 0 && kv.getModRevision() != committed) {
        deliver(committed);
        committed = 0;
      }
      String key = keys.relativeToConfig(kv.getKey());
      if (key == null) {
        continue;
      }
      boolean put = event.getEventType() == WatchEvent.EventType.PUT;
      if (key.equals(EtcdKeys.COMMIT)) {
        if (put) {
          commit = EtcdListing.parseCommit(kv, keys);
          committed = kv.getModRevision();
        } else {
          log.warn(
              "{}{} was deleted outside Wharf; watchers keep version {}",
              keys.describeConfigPrefix(),
              EtcdKeys.COMMIT,
              delivered);
        }
      } else if (put) {
        values.put(key, ByteString.copyFrom(kv.getValue().getBytes()));
      } else {
        values.remove(key);
      }
    }
    if (committed != 0) {
      deliver(committed);
    }
  }

  @Override
  String kept() {
    return "watchers keep version " + delivered;
  }

  private void deliver(long version) throws StoreException {
    if (version <= delivered) {
      return;
    }
    VersionedConfig config =
        version == 0 && values.isEmpty()
            ? VersionedConfig.EMPTY
            : new VersionedConfig(
                version,
                ConfigObjects.decode(values, commit.getRouteOrderList()).toConfig(),
                Timestamps.toJava(commit.getCommittedAt()));
    delivered = version;
    try {
      listener.accept(config);
    } catch (RuntimeException e) {
      log.error("a config listener failed on version {}", version, e);
    }
  }
}
