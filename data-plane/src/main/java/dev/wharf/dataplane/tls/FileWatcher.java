package dev.wharf.dataplane.tls;

import dev.wharf.common.FileFingerprint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells which groups of files changed since the last look. Each group (the certificate and key of
 * one certificate) is reported once per {@link #poll()} however many of its files changed, so a
 * Secret's {@code ..data} swap, which changes both at once, is one change.
 *
 * <p>Polling, not file system events: it sees symlink swaps, renames and edits alike, on every file
 * system (overlay, NFS, tmpfs), and tests drive it without waiting. {@code poll} reads every
 * watched file: call it on a thread that may block, never on an event loop. Not thread-safe: one
 * thread (the reloader's) uses it.
 */
final class FileWatcher<K> {
  private final Map<K, List<Path>> files = new LinkedHashMap<>();
  private final Map<K, List<FileFingerprint>> seen = new LinkedHashMap<>();

  /**
   * Starts watching {@code group}'s files from {@code before}, taken before their content was read:
   * a change made while it was read then shows in the next poll instead of being lost.
   */
  void watch(K group, List<Path> groupFiles, List<FileFingerprint> before) {
    files.put(group, List.copyOf(groupFiles));
    seen.put(group, List.copyOf(before));
  }

  void forget(K group) {
    files.remove(group);
    seen.remove(group);
  }

  /** The groups whose files changed since they were watched or last polled, in watch order. */
  Set<K> poll() {
    Set<K> changed = new LinkedHashSet<>();
    for (Map.Entry<K, List<Path>> group : files.entrySet()) {
      List<FileFingerprint> now = fingerprints(group.getValue());
      if (!now.equals(seen.put(group.getKey(), now))) {
        changed.add(group.getKey());
      }
    }
    return changed;
  }

  static List<FileFingerprint> fingerprints(List<Path> groupFiles) {
    List<FileFingerprint> result = new ArrayList<>(groupFiles.size());
    for (Path file : groupFiles) {
      result.add(FileFingerprint.of(file, CertificateMaterial.MAX_FILE_SIZE));
    }
    return result;
  }
}
