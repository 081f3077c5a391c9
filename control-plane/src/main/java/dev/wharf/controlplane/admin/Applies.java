package dev.wharf.controlplane.admin;

import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigValidator;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.StaleVersionException;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.controlplane.store.VersionedConfig;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.admin.v1.WriteResponse;
import dev.wharf.proto.config.v1.Config;
import java.util.List;
import java.util.function.Function;

/**
 * The Admin API's Apply, the one home of what applying a document means (wharfctl and the HTTP face
 * of the Admin API both call it): by default the document is merged into the current config object
 * by object ({@link ConfigEdits#merge}) and nothing it does not name is deleted; with {@code prune}
 * it is the whole config. Either way a result that has no listener, or no route, where the current
 * config has some is refused unless {@code allow_empty}, and the result is validated as a whole
 * before it is committed on {@code expected_version}.
 */
final class Applies {
  private final ConfigStore store;
  private final ConfigWrites writes;

  Applies(ConfigStore store, ConfigWrites writes) {
    this.store = store;
    this.writes = writes;
  }

  /**
   * A dry run with an {@code expected_version} other than 0 is refused as stale like the write
   * would be; with 0 it is compared with whatever is current. Either way its response carries the
   * version its diff was made against: the one to pass to the write.
   */
  ApplyResponse apply(ApplyRequest request) throws StoreException {
    if (!request.hasConfig()) {
      throw AdminErrors.invalidField(
          "config",
          "required (with prune, an empty config deletes everything and must be sent explicitly)");
    }
    Function<Config, Config> edit = current -> next(current, request);
    if (request.getDryRun()) {
      VersionedConfig current = store.read();
      if (request.getExpectedVersion() != 0 && request.getExpectedVersion() != current.version()) {
        throw new StaleVersionException(request.getExpectedVersion(), current.version());
      }
      Config next = edit.apply(current.config());
      ConfigWrites.requireValid(next);
      return ApplyResponse.newBuilder()
          .setDryRun(true)
          .setVersion(current.version())
          .addAllChanges(ConfigDiff.between(current.config(), next))
          .build();
    }
    WriteResponse written =
        writes.write(
            request.getExpectedVersion(),
            edit::apply,
            changes ->
                (request.getPrune() ? "apply --prune: " : "apply: ") + ConfigDiff.summary(changes));
    return ApplyResponse.newBuilder()
        .setVersion(written.getVersion())
        .addAllChanges(written.getChangesList())
        .build();
  }

  private static Config next(Config current, ApplyRequest request) {
    Config document = request.getConfig();
    Config next = request.getPrune() ? document : ConfigEdits.merge(current, document);
    if (!request.getAllowEmpty()) {
      requireNotEmptied(current, next);
    }
    if (!request.getPrune()) {
      List<ConfigError> errors = ConfigValidator.validate(next);
      if (!errors.isEmpty()) {
        throw AdminErrors.invalid(DocumentPaths.of(errors, next, document));
      }
    }
    return next;
  }

  /**
   * Refuses (INVALID_ARGUMENT on {@code allow_empty}) a write that leaves no listener, or no route,
   * where {@code current} has some: the nodes would stop listening, or answer nothing but 404.
   */
  static void requireNotEmptied(Config current, Config next) {
    requireNotEmptied("listener", current.getListenersCount(), next.getListenersCount());
    requireNotEmptied("route", current.getRoutesCount(), next.getRoutesCount());
  }

  private static void requireNotEmptied(String noun, int before, int after) {
    if (before > 0 && after == 0) {
      throw AdminErrors.invalidField(
          "allow_empty",
          "this would delete every "
              + noun
              + " ("
              + before
              + " now) and leave the config with none; set allow_empty (wharfctl: --allow-empty) "
              + "if that is meant");
    }
  }
}
