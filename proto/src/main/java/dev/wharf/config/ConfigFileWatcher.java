package dev.wharf.config;

import dev.wharf.common.FileFingerprint;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Calls back whenever a config file changes: written in place, replaced by an editor, or reached
 * through a symlink that now leads elsewhere. The last is how a Kubernetes ConfigMap updates a
 * mounted file: {@code dir/wharf.yaml -> ..data/wharf.yaml}, and the kubelet renames a new {@code
 * ..data} symlink over the old one, so the name {@code wharf.yaml} itself never changes.
 *
 * <p>So the watch is on directories, not on the name: the file's own directory (where {@code
 * ..data} is swapped) and the directory its symlinks lead to now (where an edit of the target
 * happens), re-resolved after every change. An event about the file's name, its target's name or a
 * kubelet name ({@code ..data}, {@code ..2026_12_07...}) makes the watcher compare the file's
 * {@link FileFingerprint} (resolved path and content hash) with the last one, and call back only
 * when it differs; events about other files in those directories (a log written beside the config)
 * are ignored. A write in place shows up as several events (truncate, then write), so the watcher
 * first waits until the directories have been quiet for {@link #QUIET}, but never longer than
 * {@link #BURST}: a directory that is never quiet must not hold a reload back forever. The callback
 * runs on the watcher's own daemon thread, one call at a time.
 *
 * <p>Whatever the callback throws, an Error included, is reported to the thread's uncaught
 * exception handler and the watch goes on: one bad file must not end the reloads of every later
 * good one.
 */
public final class ConfigFileWatcher implements AutoCloseable {
  static final Duration QUIET = Duration.ofMillis(150);
  static final Duration BURST = Duration.ofSeconds(1);

  private final Path file;
  private final Runnable onChange;
  private WatchService watcher;

  /** Watched directories; only the watch thread uses them once started. */
  private final Map<Path, WatchKey> directories = new HashMap<>();

  private FileFingerprint seen;

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
    seen = fingerprint();
    watchDirectories();
    Thread thread = new Thread(() -> loop(watcher), "wharf-config-file");
    thread.setDaemon(true);
    thread.start();
  }

  private FileFingerprint fingerprint() {
    return FileFingerprint.of(file, DocumentLimits.MAX_BYTES);
  }

  /** The file's directory and its target's, now; a directory left behind is no longer watched. */
  private void watchDirectories() throws IOException {
    Path own = file.getParent();
    Path target = seen.realPath().getParent();
    Iterator<Map.Entry<Path, WatchKey>> it = directories.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Path, WatchKey> e = it.next();
      if (!e.getKey().equals(own) && !e.getKey().equals(target)) {
        e.getValue().cancel();
        it.remove();
      }
    }
    register(own);
    if (target != null) {
      register(target);
    }
  }

  private void register(Path directory) throws IOException {
    if (!directories.containsKey(directory)) {
      directories.put(
          directory,
          directory.register(
              watcher,
              StandardWatchEventKinds.ENTRY_CREATE,
              StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE));
    }
  }

  private void loop(WatchService service) {
    try {
      while (true) {
        boolean relevant = consume(service.take());
        // Swallow the rest of this burst of events before looking at the file.
        long deadline = System.nanoTime() + BURST.toNanos();
        WatchKey more;
        while (System.nanoTime() - deadline < 0
            && (more = service.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          relevant |= consume(more);
        }
        if (!relevant) {
          continue;
        }
        FileFingerprint now = fingerprint();
        if (!now.equals(seen)) {
          seen = now;
          rewatch();
          changed();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  private void rewatch() {
    try {
      watchDirectories();
    } catch (IOException e) {
      // The target's directory went away already (swapped again): the file's own directory is
      // still watched, and the next change there resolves the target again.
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

  /** Takes the key's events; true when one of them may concern the file. */
  private boolean consume(WatchKey key) {
    boolean relevant = false;
    for (WatchEvent<?> event : key.pollEvents()) {
      relevant |= concernsTheFile(event);
    }
    key.reset();
    return relevant;
  }

  /**
   * The file's own name, its target's name, a kubelet name (it starts with {@code ..}), or an
   * overflow (events were lost: anything may have changed).
   */
  private boolean concernsTheFile(WatchEvent<?> event) {
    if (event.kind() == StandardWatchEventKinds.OVERFLOW || !(event.context() instanceof Path)) {
      return true;
    }
    Path name = (Path) event.context();
    return name.equals(file.getFileName())
        || name.equals(seen.realPath().getFileName())
        || name.toString().startsWith("..");
  }

  @Override
  public synchronized void close() throws IOException {
    if (watcher != null) {
      watcher.close();
    }
  }
}
