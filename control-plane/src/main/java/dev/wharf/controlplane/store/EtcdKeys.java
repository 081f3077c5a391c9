package dev.wharf.controlplane.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;

/** The key layout of store.proto under one prefix. */
final class EtcdKeys {
  static final String COMMIT = "commit";

  private final String configPrefix;
  private final String nodesPrefix;

  EtcdKeys(String prefix) {
    this.configPrefix = prefix + "/v1/config/";
    this.nodesPrefix = prefix + "/v1/nodes/";
  }

  /** {@code <prefix>/v1/config/}: every config object and the commit record. */
  ByteSequence configPrefix() {
    return bytes(configPrefix);
  }

  /** {@code <prefix>/v1/config/commit}: its mod revision is the config version. */
  ByteSequence commit() {
    return bytes(configPrefix + COMMIT);
  }

  /** A config object's key, {@code relativeKey} as in {@link ConfigObjects#objects()}. */
  ByteSequence object(String relativeKey) {
    return bytes(configPrefix + relativeKey);
  }

  /** The key below {@link #configPrefix()} ({@code routes/r1}, {@code commit}), or null. */
  String relativeToConfig(ByteSequence key) {
    String text = key.toString(UTF_8);
    return text.startsWith(configPrefix) ? text.substring(configPrefix.length()) : null;
  }

  ByteSequence nodesPrefix() {
    return bytes(nodesPrefix);
  }

  ByteSequence node(String nodeId) {
    return bytes(nodesPrefix + nodeId);
  }

  String describeConfigPrefix() {
    return configPrefix;
  }

  String describeNodesPrefix() {
    return nodesPrefix;
  }

  private static ByteSequence bytes(String key) {
    return ByteSequence.from(key, UTF_8);
  }
}
