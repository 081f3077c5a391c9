package dev.wharf.controlplane.store;

import dev.wharf.testkit.EtcdExtension;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link ConfigStore} contract against a real etcd; each test has a prefix of its own. */
class EtcdConfigStoreContractTest extends ConfigStoreContract {

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private final String prefix = "/contract-" + UUID.randomUUID();

  private EtcdStoreSettings settings(String replicaId) {
    return EtcdStoreSettings.defaults(etcd.clientEndpoints(), replicaId)
        .withPrefix(prefix)
        .withRetry(Duration.ofMillis(50), Duration.ofSeconds(1));
  }

  @Override
  ConfigStore open() {
    return EtcdConfigStore.connect(settings("replica-1"));
  }

  @Override
  ConfigStore secondWriter() {
    return closeAfter(EtcdConfigStore.connect(settings("replica-2")));
  }
}
