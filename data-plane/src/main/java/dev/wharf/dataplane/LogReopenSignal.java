package dev.wharf.dataplane;

import dev.wharf.common.Signals;
import dev.wharf.dataplane.server.DataPlaneNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -USR1}, as nginx answers it and every logrotate config sends it: reopen the access
 * log files at their paths, so lines go to the new file once the old one was renamed away. Left to
 * the JVM, SIGUSR1 would end the process without a drain or a word.
 */
final class LogReopenSignal {
  private static final Logger log = LoggerFactory.getLogger(LogReopenSignal.class);

  private LogReopenSignal() {}

  /**
   * Installs the handler for the process (one node per process: the last call wins) and returns
   * {@code node}.
   */
  static DataPlaneNode install(DataPlaneNode node) {
    boolean installed =
        Signals.handle(
            "USR1",
            () -> log.info("SIGUSR1: reopening {} access log file(s)", node.reopenAccessLogs()));
    if (!installed) {
      log.warn(
          "SIGUSR1 cannot be handled in this process (ignored since it started): "
              + "kill -USR1 reopens no access log; use logrotate's copytruncate instead");
    }
    return node;
  }
}
