package dev.wharf.standalone;

import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * A standalone jar started on fresh listener ports and listening, with the config it was given and
 * those ports. Listener ports must be written into the config (the validator refuses port 0), so a
 * port may be taken between the pick and the jar's bind: the jar then exits saying "address already
 * in use", and {@link #start} writes the config again on other ports ({@link
 * FreePorts#retryWhenTaken}), after deleting what the failed start left behind.
 */
record StandaloneOnFreePorts(JarProcess wharf, Path config, List<Integer> ports)
    implements AutoCloseable {

  /** Writes the config for {@code ports} and returns its path. */
  @FunctionalInterface
  interface ConfigWriter {
    Path write(List<Integer> ports) throws Exception;
  }

  /** Starts the jar on {@code config}. */
  @FunctionalInterface
  interface Launch {
    JarProcess start(Path config) throws Exception;
  }

  /**
   * Writes the config on {@code count} fresh ports, launches the jar and waits for its first {@code
   * listening:} line; on a taken port, deletes {@code dropOnRetry} (data or config directories the
   * next attempt must find empty) and starts again on others.
   */
  static StandaloneOnFreePorts start(
      int count, ConfigWriter config, Launch launch, Duration bound, Path... dropOnRetry)
      throws Exception {
    return FreePorts.retryWhenTaken(
        count,
        ports -> {
          Path file = config.write(ports);
          JarProcess wharf = launch.start(file);
          try {
            wharf.awaitStarted("listening:", bound);
          } catch (Exception | AssertionError e) {
            wharf.close();
            for (Path p : dropOnRetry) {
              deleteTree(p);
            }
            throw e;
          }
          return new StandaloneOnFreePorts(wharf, file, ports);
        });
  }

  @Override
  public void close() throws InterruptedException {
    wharf.close();
  }

  /** Deletes {@code root} and everything under it, if it exists. */
  static void deleteTree(Path root) throws IOException {
    if (Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (var paths = Files.walk(root)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
