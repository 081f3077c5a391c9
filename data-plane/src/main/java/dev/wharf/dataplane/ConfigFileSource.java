package dev.wharf.dataplane;

import dev.wharf.common.HangupSignal;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigFileWatcher;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.server.ListenerBindException;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a node from a local config file: reads it, and reads it again whenever it changes, through
 * the same {@link DataPlaneNode#apply} path a pushed snapshot takes. A file that does not read or
 * validate is reported and changes nothing: the node keeps serving its last good config.
 *
 * <p>The watch runs on its own daemon thread, never on an event loop.
 */
final class ConfigFileSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigFileSource.class);

  private final Path file;
  private final DataPlaneNode node;
  private final ConfigFileWatcher watcher;

  ConfigFileSource(Path file, DataPlaneNode node) {
    this.file = file.toAbsolutePath();
    this.node = node;
    this.watcher = new ConfigFileWatcher(this.file, this::reload);
  }

  /** Reads and applies the file; false (with the reasons logged) when it was not applied. */
  synchronized boolean reload() {
    Config config;
    try {
      config = ConfigDocuments.load(file);
      node.apply(config);
    } catch (IOException e) {
      log.error("cannot read {}: {}; keeping the current config", file, e.toString());
      return false;
    } catch (ConfigException | ListenerBindException e) {
      log.error("{} not applied, keeping the current config: {}", file, e.getMessage());
      return false;
    }
    log.info("applied {}", file);
    return true;
  }

  /**
   * Starts reloading on every change of the file (editors that replace it included) and on SIGHUP,
   * as nginx users expect.
   */
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
              + " kill -HUP reloads nothing; {} is watched, so an edit applies by itself",
          file);
    }
  }

  @Override
  public void close() throws IOException {
    watcher.close();
  }
}
