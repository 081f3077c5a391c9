package dev.wharf.dataplane.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions this node refused and has not applied since, in memory and beside the snapshot file
 * ({@code <stateDir>/refused-versions}, one decimal version a line), so that every hello says them
 * and no replica, this one or another, after a restart or not, pushes them again unless an operator
 * asks (wharfctl rollout retry). At most {@link #KEPT} are kept, the newest; versions at or below
 * the one that serves are dropped (they can never be pushed as new).
 *
 * <p>A file that cannot be read or parsed costs only the memory of refusals: the node says hello
 * without them and a replica may push such a version once more, which it refuses again.
 *
 * <p>Threading: called from the client's config thread only.
 */
final class RefusedVersions {
  private static final Logger log = LoggerFactory.getLogger(RefusedVersions.class);
  static final int KEPT = 16;
  static final String NAME = "refused-versions";

  private final Path file;
  private final TreeSet<Long> versions = new TreeSet<>();

  private RefusedVersions(Path file) {
    this.file = file;
  }

  /** The refusals kept beside {@code snapshot}, read now. */
  static RefusedVersions beside(SnapshotFile snapshot) {
    RefusedVersions r = new RefusedVersions(snapshot.path().resolveSibling(NAME));
    r.load();
    return r;
  }

  private void load() {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        String t = line.strip();
        if (!t.isEmpty()) {
          long v = Long.parseUnsignedLong(t);
          if (v > 0) {
            versions.add(v);
          }
        }
      }
      trim();
    } catch (NoSuchFileException e) {
      // no refusal yet
    } catch (IOException | NumberFormatException e) {
      versions.clear();
      log.warn("cannot read {}: {}; the refusals it held are forgotten", file, e.toString());
    }
  }

  /** The versions to say in the hello, oldest first. */
  List<Long> list() {
    return List.copyOf(versions);
  }

  /** The node refused {@code version}. */
  void refused(long version) {
    if (version > 0 && versions.add(version)) {
      trim();
      save();
    }
  }

  /** Version {@code running} serves: it and every older refusal are moot now. */
  void serves(long running) {
    if (!versions.isEmpty() && versions.first() <= running) {
      versions.headSet(running, true).clear();
      save();
    }
  }

  private void trim() {
    while (versions.size() > KEPT) {
      versions.pollFirst();
    }
  }

  private void save() {
    StringBuilder text = new StringBuilder();
    versions.forEach(v -> text.append(Long.toUnsignedString(v)).append('\n'));
    Path temp = file.resolveSibling(NAME + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(temp, text, StandardCharsets.US_ASCII);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.error(
          "cannot write {}: {}; after a restart this node may be pushed a version it refused",
          file,
          e.toString());
    }
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
