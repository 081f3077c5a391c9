package dev.wharf.dataplane.accesslog;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The node's access log files across config snapshots.
 *
 * <p>A config change must neither lose nor duplicate a file: listeners that log to the same path
 * share one {@link AccessLogWriter}, and a path the new config still uses keeps its writer (and
 * open file) rather than being reopened. Applying a config is two steps, so requests that started
 * under the old snapshot can keep logging while the new one is published:
 *
 * <ol>
 *   <li>{@link #update} opens the files new in the config and returns the loggers by listener name;
 *       the caller publishes that map with the rest of the snapshot;
 *   <li>{@link #retireUnused} then closes the writers the latest config no longer uses. A request
 *       of the old snapshot that finishes after this loses its line.
 * </ol>
 *
 * <p>Threading: {@code update}, {@code retireUnused} and {@code close} are for the one thread that
 * applies configs (they are synchronized, so another caller waits). The returned {@link
 * AccessLogger}s are used on event loops and never block.
 */
public final class AccessLogs implements AutoCloseable {
  private final int capacity;

  /** Every open writer, by {@link #key}: those in use and those waiting to be retired. */
  private final Map<String, AccessLogWriter> writers = new HashMap<>();

  /** Keys of the writers the latest successful {@link #update} uses. */
  private Set<String> inUse = Set.of();

  /**
   * @param capacity lines each file's queue holds before new lines are dropped
   */
  public AccessLogs(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    this.capacity = capacity;
  }

  /**
   * Loggers for the listeners of {@code config} that have an access log, by listener name. All or
   * nothing: when a new file cannot be opened, the files this call opened are closed, every writer
   * in use stays as it was, and the exception names the listener and the path.
   *
   * @throws IllegalArgumentException a format the validator would have rejected
   */
  public synchronized Map<String, AccessLogger> update(Config config)
      throws AccessLogOpenException {
    Map<String, AccessLogFormat> formats = new HashMap<>();
    for (Listener l : config.getListenersList()) {
      if (l.hasAccessLog()) {
        formats.put(l.getName(), AccessLogFormat.compile(l.getAccessLog()));
      }
    }
    Map<String, AccessLogWriter> opened = new HashMap<>();
    Map<String, AccessLogger> loggers = new HashMap<>();
    Set<String> keys = new HashSet<>();
    try {
      for (Listener l : config.getListenersList()) {
        if (l.hasAccessLog()) {
          String key = key(l.getAccessLog().getPath());
          AccessLogWriter writer = writers.get(key);
          if (writer == null) {
            writer = opened.get(key);
          }
          if (writer == null) {
            writer = open(l);
            opened.put(key, writer);
          }
          keys.add(key);
          loggers.put(l.getName(), new AccessLogger(formats.get(l.getName()), writer));
        }
      }
    } catch (AccessLogOpenException | RuntimeException e) {
      opened.values().forEach(AccessLogWriter::close);
      throw e;
    }
    writers.putAll(opened);
    inUse = Set.copyOf(keys);
    return Map.copyOf(loggers);
  }

  private AccessLogWriter open(Listener l) throws AccessLogOpenException {
    try {
      return AccessLogWriter.open(l.getAccessLog().getPath(), capacity);
    } catch (IOException e) {
      throw new AccessLogOpenException(l.getName(), e);
    }
  }

  /** Closes the writers the latest successful {@link #update} does not use. */
  public synchronized void retireUnused() {
    Iterator<Map.Entry<String, AccessLogWriter>> it = writers.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, AccessLogWriter> e = it.next();
      if (!inUse.contains(e.getKey())) {
        e.getValue().close();
        it.remove();
      }
    }
  }

  /**
   * Closes and opens again every access log file, at its path, before its next line (log rotation:
   * the old file was renamed away). Returns how many files that is; {@code stdout} is not one.
   */
  public synchronized int reopenAll() {
    int files = 0;
    for (Map.Entry<String, AccessLogWriter> e : writers.entrySet()) {
      if (!e.getKey().equals(AccessLogWriter.STDOUT)) {
        e.getValue().reopen();
        files++;
      }
    }
    return files;
  }

  /** Writes what is queued and closes every file. */
  @Override
  public synchronized void close() {
    writers.values().forEach(AccessLogWriter::close);
    writers.clear();
    inUse = Set.of();
  }

  /** Two spellings of one file share a writer; {@code stdout} is not a file. */
  private static String key(String path) {
    if (path.equals(AccessLogWriter.STDOUT)) {
      return path;
    }
    return Path.of(path).toAbsolutePath().normalize().toString();
  }
}
