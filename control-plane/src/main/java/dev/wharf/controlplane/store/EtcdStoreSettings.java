package dev.wharf.controlplane.store;

import dev.wharf.common.Backoff;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How an {@link EtcdConfigStore} reaches etcd.
 *
 * @param endpoints etcd client URLs ({@code http://host:2379}); calls are spread over them
 * @param prefix the key prefix everything lives under, {@code /wharf} by default; several fleets
 *     can share one etcd cluster with different prefixes
 * @param replicaId this control-plane replica: recorded in the node statuses it writes that do not
 *     name their replica, and named in its log lines
 * @param callTimeout the deadline of every etcd call; a call that has not answered by then fails
 *     with a {@link StoreException}
 * @param leaseTtl how long node statuses outlive a replica that stopped renewing its lease (etcd
 *     counts in whole seconds and raises very short TTLs to its own minimum)
 * @param retryBase first pause before a watch retries after etcd became unreachable; it doubles up
 *     to {@code retryMax}, with jitter
 * @param retryMax longest pause between two retries
 */
public record EtcdStoreSettings(
    List<URI> endpoints,
    String prefix,
    String replicaId,
    Duration callTimeout,
    Duration leaseTtl,
    Duration retryBase,
    Duration retryMax) {

  public static final String DEFAULT_PREFIX = "/wharf";
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RETRY_BASE = Duration.ofMillis(200);
  public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(10);

  public EtcdStoreSettings {
    endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("endpoints: [] (expected: at least one etcd URL)");
    }
    Objects.requireNonNull(prefix, "prefix");
    if (!prefix.startsWith("/") || prefix.endsWith("/")) {
      throw new IllegalArgumentException(
          "prefix: '" + prefix + "' (expected: starts with '/', does not end with '/')");
    }
    Objects.requireNonNull(replicaId, "replicaId");
    if (replicaId.isBlank()) {
      throw new IllegalArgumentException("replicaId: '" + replicaId + "' (expected: not blank)");
    }
    requirePositive("callTimeout", callTimeout);
    requirePositive("leaseTtl", leaseTtl);
    requirePositive("retryBase", retryBase);
    requirePositive("retryMax", retryMax);
    if (retryMax.compareTo(retryBase) < 0) {
      throw new IllegalArgumentException(
          "retryMax: " + retryMax + " (expected: >= retryBase " + retryBase + ")");
    }
  }

  /** The defaults: prefix {@code /wharf}, 5 s calls, a 10 s lease, retries from 200 ms to 10 s. */
  public static EtcdStoreSettings defaults(List<URI> endpoints, String replicaId) {
    return new EtcdStoreSettings(
        endpoints,
        DEFAULT_PREFIX,
        replicaId,
        DEFAULT_CALL_TIMEOUT,
        DEFAULT_LEASE_TTL,
        DEFAULT_RETRY_BASE,
        DEFAULT_RETRY_MAX);
  }

  public EtcdStoreSettings withPrefix(String prefix) {
    return new EtcdStoreSettings(
        endpoints, prefix, replicaId, callTimeout, leaseTtl, retryBase, retryMax);
  }

  public EtcdStoreSettings withCallTimeout(Duration callTimeout) {
    return new EtcdStoreSettings(
        endpoints, prefix, replicaId, callTimeout, leaseTtl, retryBase, retryMax);
  }

  public EtcdStoreSettings withLeaseTtl(Duration leaseTtl) {
    return new EtcdStoreSettings(
        endpoints, prefix, replicaId, callTimeout, leaseTtl, retryBase, retryMax);
  }

  public EtcdStoreSettings withRetry(Duration retryBase, Duration retryMax) {
    return new EtcdStoreSettings(
        endpoints, prefix, replicaId, callTimeout, leaseTtl, retryBase, retryMax);
  }

  /** The pauses of one retry loop: {@code retryBase} doubling up to {@code retryMax}. */
  Backoff.Retries retries(RandomGenerator random) {
    return Backoff.exponential(retryBase, retryMax, random).retries();
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
  }
}
