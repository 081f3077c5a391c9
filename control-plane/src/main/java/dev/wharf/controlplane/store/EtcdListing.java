package dev.wharf.controlplane.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.wharf.config.Timestamps;
import dev.wharf.proto.store.v1.Commit;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import java.util.HashMap;
import java.util.Map;

/**
 * One read of the whole {@code <prefix>/v1/config/} range.
 *
 * @param revision the etcd revision the read saw; a watch that continues it starts after it
 * @param version the commit key's mod revision, 0 when it does not exist
 * @param values every object's stored value, keyed below the config prefix
 * @param commit the commit record, the default instance when there is none
 */
record EtcdListing(long revision, long version, Map<String, ByteString> values, Commit commit) {

  EtcdListing {
    values = Map.copyOf(values);
  }

  static EtcdListing of(GetResponse response, EtcdKeys keys) throws StoreException {
    Map<String, ByteString> values = new HashMap<>();
    long version = 0;
    Commit commit = Commit.getDefaultInstance();
    for (KeyValue kv : response.getKvs()) {
      String key = keys.relativeToConfig(kv.getKey());
      if (key == null) {
        continue;
      }
      if (key.equals(EtcdKeys.COMMIT)) {
        commit = parseCommit(kv, keys);
        version = kv.getModRevision();
      } else {
        values.put(key, ByteString.copyFrom(kv.getValue().getBytes()));
      }
    }
    return new EtcdListing(response.getHeader().getRevision(), version, values, commit);
  }

  static Commit parseCommit(KeyValue kv, EtcdKeys keys) throws StoreException {
    try {
      return Commit.parseFrom(kv.getValue().getBytes());
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException(
          "the commit record "
              + keys.describeConfigPrefix()
              + EtcdKeys.COMMIT
              + " does not parse: "
              + e.getMessage(),
          e);
    }
  }

  ConfigObjects objects() throws StoreException {
    return ConfigObjects.decode(values, commit.getRouteOrderList());
  }

  VersionedConfig toVersionedConfig() throws StoreException {
    if (version == 0 && values.isEmpty()) {
      return VersionedConfig.EMPTY;
    }
    return new VersionedConfig(
        version, objects().toConfig(), Timestamps.toJava(commit.getCommittedAt()));
  }
}
