package dev.wharf.dataplane.access;

import dev.wharf.config.Htpasswd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An htpasswd file as a route serves it: the users of the last good read, and a poll that re-reads
 * the file when its modification time or size changed. The poll is asked for by requests (at most
 * once per {@link #POLL_NANOS} of the injected ticker) and runs on the file executor, never on an
 * event loop; a request never waits for it. A read that fails or finds refused lines keeps the last
 * good users, logs why once per change, and counts in {@link #failedReads}. Until a first good read
 * there are no users, and every request with credentials is refused 403, as nginx answers when it
 * cannot open the file. Thread-safe.
 */
final class UserFile {
  static final long POLL_NANOS = 1_000_000_000L;
  private static final Logger log = LoggerFactory.getLogger(UserFile.class);

  private final Path path;
  private final AtomicReference<Map<String, String>> users = new AtomicReference<>();
  private final AtomicReference<Object> seen = new AtomicReference<>();
  private final AtomicLong nextPoll = new AtomicLong();
  private final AtomicBoolean polling = new AtomicBoolean();
  private final AtomicLong failedReads = new AtomicLong();
  private final AtomicLong goodReads = new AtomicLong();
  private volatile boolean stale;

  UserFile(Path path) {
    this.path = path;
  }

  /**
   * The node's one reader of {@code path}: routes naming the same file, and the snapshots a config
   * swap compiles, share its users, its poll and its meters ({@link UserFileMeters}). Files a
   * config no longer names stay known (a few objects each), as metrics series do.
   */
  static UserFile of(Path path) {
    return KNOWN.computeIfAbsent(path.toAbsolutePath().normalize(), UserFile::new);
  }

  private static final ConcurrentHashMap<Path, UserFile> KNOWN = new ConcurrentHashMap<>();

  /**
   * Whether the file as it is now was refused (unreadable, or a line refused) and the users of the
   * last good read, or none before a first good read, stay in use.
   */
  boolean stale() {
    return stale;
  }

  long goodReads() {
    return goodReads.get();
  }

  /** The users of the last good read, or null when there has been none. */
  Map<String, String> users() {
    return users.get();
  }

  long failedReads() {
    return failedReads.get();
  }

  Path path() {
    return path;
  }

  /** Starts a re-read on {@code files} when one is due at {@code nowNanos}; returns at once. */
  void pollIfDue(long nowNanos, Executor files) {
    long due = nextPoll.get();
    if (nowNanos - due < 0 || !nextPoll.compareAndSet(due, nowNanos + POLL_NANOS)) {
      return;
    }
    if (polling.compareAndSet(false, true)) {
      files.execute(
          () -> {
            try {
              readIfChanged();
            } finally {
              polling.set(false);
            }
          });
    }
  }

  /** Reads the file when it changed since the last read; blocking, so off the event loops. */
  void readIfChanged() {
    Object stamp;
    String text;
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      // The file's identity too: a rotated password is often a file of the same size (bcrypt
      // hashes all have 60 characters) moved into place with its time kept (cp -p, rsync -t).
      stamp = attributes.lastModifiedTime() + "/" + attributes.size() + "/" + attributes.fileKey();
      if (stamp.equals(seen.get())) {
        return;
      }
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      refused("cannot be read: " + e, "unreadable");
      return;
    }
    seen.set(stamp);
    Htpasswd.Parsed parsed = Htpasswd.parse(text);
    if (!parsed.problems().isEmpty()) {
      stale = true;
      failedReads.incrementAndGet();
      log.warn(
          "htpasswd file {} refused, the last good one stays in use: {}",
          path,
          String.join("; ", parsed.problems()));
      return;
    }
    users.set(parsed.users());
    goodReads.incrementAndGet();
    stale = false;
  }

  private void refused(String why, String stamp) {
    stale = true;
    if (!stamp.equals(seen.getAndSet(stamp))) {
      failedReads.incrementAndGet(); // once per change, not once per poll of a missing file
      log.warn("htpasswd file {} {}; the last good one stays in use", path, why);
    }
  }
}
