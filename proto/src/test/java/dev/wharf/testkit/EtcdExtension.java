package dev.wharf.testkit;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving a test class one real {@link EtcdCluster} for all its tests.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EtcdExtension etcd = EtcdExtension.singleMember(); // or EtcdExtension.cluster(3)
 *
 * @Test
 * void something() {
 *     List<URI> endpoints = etcd.clientEndpoints();
 *     etcd.cluster().stopMember(0);
 * }
 * }</pre>
 *
 * <p>Contract: register it on a {@code static} field. The cluster starts before the first test of
 * the class ({@code beforeAll}) and is closed after the last one ({@code afterAll}); nested test
 * classes share it. Tests that stop or kill members must restart them (or use their own {@link
 * EtcdCluster#start(int)}) so later tests see a whole cluster. Missing etcd: fails under {@code
 * CI=true}, aborts the class otherwise (see {@link EtcdCluster}).
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback {

  private final int members;
  private EtcdCluster cluster;
  private String ownerId;

  private EtcdExtension(int members) {
    if (members < 1) {
      throw new IllegalArgumentException("an etcd cluster needs at least 1 member, not " + members);
    }
    this.members = members;
  }

  /** One etcd member. */
  public static EtcdExtension singleMember() {
    return new EtcdExtension(1);
  }

  /** {@code members} etcd members forming one cluster (3 for failover tests). */
  public static EtcdExtension cluster(int members) {
    return new EtcdExtension(members);
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (cluster == null) {
      cluster = EtcdCluster.start(members);
      ownerId = context.getUniqueId();
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (cluster != null && context.getUniqueId().equals(ownerId)) {
      cluster.close();
      cluster = null;
      ownerId = null;
    }
  }

  /** The running cluster; only between {@code beforeAll} and {@code afterAll}. */
  public synchronized EtcdCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException(
          "etcd is not running: register EtcdExtension on a static field with @RegisterExtension");
    }
    return cluster;
  }

  /** Shortcut for {@code cluster().clientEndpoints()}. */
  public List<URI> clientEndpoints() {
    return cluster().clientEndpoints();
  }
}
