package dev.wharf.controlplane.admin;

import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigValidator;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.StaleVersionException;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.admin.v1.ObjectChange;
import dev.wharf.proto.admin.v1.WriteResponse;
import dev.wharf.proto.config.v1.Config;
import io.grpc.Status;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every Admin write is made: read the current config, refuse at once if the caller's {@code
 * expected_version} is not the current one, build the whole new config, validate it with the shared
 * validator and commit it with the store's compare-and-set on that version. Stateless beyond the
 * store; called on the gRPC server's executor.
 */
final class ConfigWrites {
  private static final Logger log = LoggerFactory.getLogger(ConfigWrites.class);

  private final ConfigStore store;

  ConfigWrites(ConfigStore store) {
    this.store = store;
  }

  /**
   * Reads, checks {@code expected}, edits, validates and commits; nothing is written when the edit
   * changes nothing.
   */
  WriteResponse write(
      long expected, UnaryOperator<Config> edit, Function<List<ObjectChange>, String> summary)
      throws StoreException {
    Caller caller = caller();
    VersionedConfig current = store.read();
    if (current.version() != expected) {
      throw new StaleVersionException(expected, current.version());
    }
    Config next = edit.apply(current.config());
    requireValid(next);
    List<ObjectChange> changes = ConfigDiff.between(current.config(), next);
    if (changes.isEmpty()) {
      return WriteResponse.newBuilder().setVersion(current.version()).build();
    }
    String line = summary.apply(changes);
    long version = store.commit(expected, next, caller.principal(), line);
    log.info("version {} committed by {}: {}", version, caller.principal(), line);
    return WriteResponse.newBuilder().setVersion(version).addAllChanges(changes).build();
  }

  static Caller caller() {
    Caller caller = Caller.current();
    if (caller == null) {
      // Only reachable if the service is served without the replica's authentication.
      throw Status.UNAUTHENTICATED.withDescription("no authenticated caller").asRuntimeException();
    }
    return caller;
  }

  static void requireValid(Config config) {
    List<ConfigError> errors = ConfigValidator.validate(config);
    if (!errors.isEmpty()) {
      throw AdminErrors.invalid(errors);
    }
  }
}
