package dev.wharf.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Calls back whenever a config file changes, including when an editor replaces it rather than
 * writing in place. A write in place shows up as several events (truncate, then write), so the
 * callback waits until the file has been quiet for {@link #QUIET}, and reads it once. The callback
 * runs on the watcher's own daemon thread, one call at a time.
 *
 * <p>Whatever the callback throws, an Error included, is reported to the thread's uncaught
 * exception handler and the watch goes on: one bad file must not end the reloads of every later
 * good one.
 */
public final class ConfigFileWatcher implements AutoCloseable {
  static final Duration QUIET = Duration.ofMillis(150);

  private final Path file;
  private final Runnable onChange;
  private WatchService watcher;

  public ConfigFileWatcher(Path file, Runnable onChange) {
    this.file = file.toAbsolutePath();
    this.onChange = onChange;
  }

  /** Starts watching; changes before this call are not reported. */
  public synchronized void start() throws IOException {
    if (watcher != null) {
      throw new IllegalStateException("already watching " + file);
    }
    watcher = FileSystems.getDefault().newWatchService();
    file.getParent()
        .register(
            watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
    Thread thread = new Thread(() -> loop(watcher), "wharf-config-file");
    thread.setDaemon(true);
    thread.start();
  }

  private void loop(WatchService service) {
    try {
      while (true) {
        if (ours(service.take())) {
          // Swallow the rest of this burst of events before reading the file.
          WatchKey more;
          while ((more = service.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            ours(more);
          }
          changed();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  private void changed() {
    try {
      onChange.run();
    } catch (Throwable t) {
      Thread thread = Thread.currentThread();
      thread.getUncaughtExceptionHandler().uncaughtException(thread, t);
    }
  }

  private boolean ours(WatchKey key) {
    boolean ours = key.pollEvents().stream().anyMatch(e -> file.getFileName().equals(e.context()));
    key.reset();
    return ours;
  }

  @Override
  public synchronized void close() throws IOException {
    if (watcher != null) {
      watcher.close();
    }
  }
}
