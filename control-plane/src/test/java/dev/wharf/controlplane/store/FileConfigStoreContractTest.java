package dev.wharf.controlplane.store;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The {@link ConfigStore} contract for the embedded store, in a fresh directory per test. */
class FileConfigStoreContractTest extends ConfigStoreContract {

  @TempDir Path dataDir;

  @Override
  ConfigStore open() throws StoreException {
    return FileConfigStore.open(dataDir, Clock.systemUTC());
  }

  @Override
  ConfigStore secondWriter() {
    return store; // one replica: its writers share the store
  }
}
