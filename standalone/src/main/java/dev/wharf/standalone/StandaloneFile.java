package dev.wharf.standalone;

import dev.wharf.common.HangupSignal;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigFileWatcher;
import dev.wharf.config.ConfigSummary;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone mode's source of truth: a config file whose content is committed to the embedded
 * store at start and again after every change. A file that does not read or validate is reported
 * and commits nothing, so the node keeps its current version.
 */
final class StandaloneFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StandaloneFile.class);

  private final Path file;
  private final ConfigStore store;
  private final ConfigFileWatcher watcher;

  StandaloneFile(Path file, ConfigStore store) {
    this.file = file;
    this.store = store;
    this.watcher = new ConfigFileWatcher(file, this::reload);
  }

  /** Commits {@code config} (read from {@code file}) over whatever the store holds. */
  static long commit(ConfigStore store, Path file, Config config) throws StoreException {
    long current = store.read().version();
    return store.commit(
        current,
        config,
        "file:" + file.toAbsolutePath(),
        "from " + file.getFileName() + ": " + ConfigSummary.of(config));
  }

  /** Commits the file again whenever it changes, and on SIGHUP (as {@code nginx -s reload}). */
  void watch() throws IOException {
    watcher.start();
    boolean hangup =
        HangupSignal.onHangup(
            () -> {
              log.info("SIGHUP: reading {} again", file);
              reload();
            });
    if (!hangup) {
      log.warn(
          "SIGHUP cannot be handled in this process (ignored since it started, as under nohup):"
              + " kill -HUP reloads nothing; {} is watched, so an edit applies by itself, as does wharfctl apply",
          file);
    }
  }

  private synchronized void reload() {
    Config config;
    try {
      config = ConfigDocuments.load(file);
    } catch (IOException e) {
      log.error("cannot read {}: {}; keeping the current version", file, e.toString());
      return;
    } catch (ConfigException e) {
      log.error("{} not applied, keeping the current version: {}", file, e.getMessage());
      return;
    }
    try {
      long before = store.read().version();
      long version = commit(store, file, config);
      if (version == before) {
        log.info("{} is unchanged: still version {}", file, version);
      } else {
        log.info("{} committed as version {}", file, version);
      }
    } catch (StoreException e) {
      log.error("cannot commit {}: {}", file, e.getMessage());
    }
  }

  @Override
  public void close() throws IOException {
    watcher.close();
  }
}
