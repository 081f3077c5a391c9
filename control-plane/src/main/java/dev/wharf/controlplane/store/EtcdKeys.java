package dev.wharf.controlplane.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.etcd.jetcd.ByteSequence;

/** The key layout of store.proto under one prefix. */
final class EtcdKeys {
  static final String COMMIT = "commit";

  private final String configPrefix;
  private final String nodesPrefix;
  private final String historyPrefix;
  private final String drainsPrefix;

  EtcdKeys(String prefix) {
    this.configPrefix = prefix + "/v1/config/";
    this.nodesPrefix = prefix + "/v1/nodes/";
    this.historyPrefix = prefix + "/v1/history/";
    this.drainsPrefix = prefix + "/v1/drains/";
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

  /** {@code <prefix>/v1/history/}: one entry per commit, outside the config prefix. */
  ByteSequence historyPrefix() {
    return bytes(historyPrefix);
  }

  /**
   * The history entry of the commit made on {@code expectedVersion}: zero-padded, so key order is
   * version order; its mod revision is the version the commit made.
   */
  ByteSequence history(long expectedVersion) {
    return bytes(historyPrefix + String.format("%020d", expectedVersion));
  }

  ByteSequence drainsPrefix() {
    return bytes(drainsPrefix);
  }

  ByteSequence drain(String nodeId) {
    return bytes(drainsPrefix + nodeId);
  }

  /** The node id a key below {@link #drainsPrefix()} names, or null for another key. */
  String drainedNode(ByteSequence key) {
    String text = key.toString(UTF_8);
    return text.startsWith(drainsPrefix) && text.length() > drainsPrefix.length()
        ? text.substring(drainsPrefix.length())
        : null;
  }

  String describeConfigPrefix() {
    return configPrefix;
  }

  String describeNodesPrefix() {
    return nodesPrefix;
  }

  String describeHistoryPrefix() {
    return historyPrefix;
  }

  String describeDrainsPrefix() {
    return drainsPrefix;
  }

  private static ByteSequence bytes(String key) {
    return ByteSequence.from(key, UTF_8);
  }
}
