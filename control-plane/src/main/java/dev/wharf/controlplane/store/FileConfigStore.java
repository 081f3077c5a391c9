package dev.wharf.controlplane.store;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.wharf.config.Timestamps;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.store.v1.Commit;
import dev.wharf.proto.store.v1.FileStoreState;
import dev.wharf.proto.store.v1.FileStoreState.PastVersion;
import dev.wharf.proto.store.v1.HistoryEntry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;

/**
 * The embedded store: the config in one file, {@code <dataDir>/config.pb}, for a control plane that
 * runs alone. It keeps the guarantees of {@link ConfigStore} as the etcd store does: the version is
 * the revision of the last commit, starts at 1 and only goes up; node statuses (and drain requests)
 * live in memory. A lock on {@code <dataDir>/lock} keeps a second store off the same directory.
 *
 * <p>The same file keeps the history: the versions before the current one, each whole, up to {@link
 * #HISTORY_KEPT} with it. So the file is up to {@code HISTORY_KEPT} times the size of the config,
 * and every commit rewrites all of it.
 *
 * <p>Threading: {@link #read} and {@link #commit} are serialized (a commit writes and forces the
 * file before it returns); each {@link #watch} delivers on its own thread.
 */
public final class FileConfigStore implements ConfigStore {
  private final Path dataDir;
  private final StateFile stateFile;
  private final Clock clock;
  private final FileChannel lockChannel;
  private final MemoryNodeStatusStore nodes = new MemoryNodeStatusStore();
  private final MemoryNodeRecords records = new MemoryNodeRecords();
  private final Set<SerialListener> watches = new CopyOnWriteArraySet<>();
  private FileStoreState state; // guarded by this
  private boolean closed; // guarded by this

  private FileConfigStore(
      Path dataDir,
      StateFile stateFile,
      Clock clock,
      FileChannel lockChannel,
      FileStoreState state) {
    this.dataDir = dataDir;
    this.stateFile = stateFile;
    this.clock = clock;
    this.lockChannel = lockChannel;
    this.state = state;
  }

  /**
   * Opens the store in {@code dataDir}, creating the directory if needed.
   *
   * @throws StoreException if another store holds the directory, or {@code config.pb} cannot be
   *     read or is not a state this store wrote (it is left as it is)
   */
  public static FileConfigStore open(Path dataDir, Clock clock) throws StoreException {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(clock, "clock");
    Path lockFile = dataDir.resolve("lock");
    FileChannel lockChannel;
    try {
      Files.createDirectories(dataDir);
      lockChannel = FileChannel.open(lockFile, CREATE, WRITE);
    } catch (IOException e) {
      throw new StoreException("cannot open data directory " + dataDir + ": " + e, e);
    }
    try {
      FileLock lock = lockChannel.tryLock();
      if (lock == null) {
        throw inUse(dataDir, lockFile);
      }
      StateFile stateFile = new StateFile(dataDir);
      return new FileConfigStore(dataDir, stateFile, clock, lockChannel, stateFile.load());
    } catch (OverlappingFileLockException e) {
      closeQuietly(lockChannel);
      throw inUse(dataDir, lockFile); // another store in this very process
    } catch (IOException e) {
      closeQuietly(lockChannel);
      throw new StoreException("cannot lock " + lockFile + ": " + e, e);
    } catch (StoreException | RuntimeException e) {
      closeQuietly(lockChannel); // also releases the lock
      throw e;
    }
  }

  private static StoreException inUse(Path dataDir, Path lockFile) {
    return new StoreException(
        "data directory "
            + dataDir
            + " is in use by another process ("
            + lockFile
            + " is locked); each control plane needs its own data directory");
  }

  @Override
  public synchronized VersionedConfig read() {
    requireOpen();
    return current();
  }

  private VersionedConfig current() {
    return state.getRevision() == 0
        ? VersionedConfig.EMPTY
        : new VersionedConfig(
            state.getRevision(),
            state.getConfig(),
            Timestamps.toJava(state.getCommit().getCommittedAt()));
  }

  @Override
  public synchronized long commit(
      long expectedVersion, Config config, String principal, String summary) throws StoreException {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(summary, "summary");
    requireOpen();
    ConfigObjects desired = ConfigObjects.of(config);
    long version = state.getRevision();
    if (version != expectedVersion) {
      throw new StaleVersionException(expectedVersion, version);
    }
    if (desired.equals(ConfigObjects.of(state.getConfig()))) {
      return version; // nothing changed: nothing is written, no version is made
    }
    Instant now = clock.instant();
    FileStoreState next =
        FileStoreState.newBuilder()
            .addAllHistory(historyAfter(state))
            .setRevision(version + 1)
            .setCommit(
                Commit.newBuilder()
                    .addAllRouteOrder(desired.routeOrder())
                    .setPrincipal(principal)
                    .setSummary(summary)
                    .setCommittedAt(Timestamps.toProto(now)))
            .setConfig(desired.toConfig())
            .build();
    stateFile.write(next);
    state = next;
    VersionedConfig published = current();
    watches.forEach(watch -> watch.offer(published));
    return next.getRevision();
  }

  /** The past versions of the state that replaces {@code replaced}: those, and it. */
  private static List<PastVersion> historyAfter(FileStoreState replaced) {
    if (replaced.getRevision() == 0) {
      return List.of();
    }
    List<PastVersion> past = new ArrayList<>(replaced.getHistoryList());
    past.add(
        PastVersion.newBuilder()
            .setRevision(replaced.getRevision())
            .setEntry(
                HistoryEntry.newBuilder()
                    .setCommit(replaced.getCommit())
                    .setConfig(replaced.getConfig()))
            .build());
    // The current version is the history's newest entry, so HISTORY_KEPT - 1 past ones.
    return past.subList(Math.max(0, past.size() - (HISTORY_KEPT - 1)), past.size());
  }

  @Override
  public synchronized List<HistoryRecord> history(int limit) {
    HistoryRecord.requireLimit(limit);
    requireOpen();
    if (state.getRevision() == 0) {
      return List.of();
    }
    List<HistoryRecord> records = new ArrayList<>();
    records.add(record(state.getRevision(), state.getCommit()));
    List<PastVersion> past = state.getHistoryList();
    for (int i = past.size() - 1; i >= 0 && records.size() < limit; i--) {
      records.add(record(past.get(i).getRevision(), past.get(i).getEntry().getCommit()));
    }
    return List.copyOf(records);
  }

  private static HistoryRecord record(long revision, Commit commit) {
    return new HistoryRecord(
        revision,
        Timestamps.toJava(commit.getCommittedAt()),
        commit.getPrincipal(),
        commit.getSummary());
  }

  @Override
  public synchronized Optional<VersionedConfig> version(long version) {
    HistoryRecord.requireVersion(version);
    requireOpen();
    if (version == 0) {
      return Optional.empty(); // the empty store: no commit made it
    }
    if (version == state.getRevision()) {
      return Optional.of(current());
    }
    for (PastVersion past : state.getHistoryList()) {
      if (past.getRevision() == version) {
        return Optional.of(
            new VersionedConfig(
                version,
                past.getEntry().getConfig(),
                Timestamps.toJava(past.getEntry().getCommit().getCommittedAt())));
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized Subscription watch(Consumer<VersionedConfig> listener) {
    requireOpen();
    SerialListener watch =
        new SerialListener(Objects.requireNonNull(listener, "listener"), watches::remove);
    watches.add(watch);
    // Under the lock, so no commit can slip between this version and the watch's first.
    watch.offer(current());
    return watch;
  }

  @Override
  public NodeStatusStore nodes() {
    return nodes;
  }

  @Override
  public NodeRecords nodeRecords() {
    return records;
  }

  @Override
  public String kind() {
    return "file";
  }

  /** Stops every watch (of the config and of drain requests) and releases the directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    watches.forEach(SerialListener::close);
    nodes.close();
    closeQuietly(lockChannel);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the config store in " + dataDir + " is closed");
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // releasing the lock is all we wanted; the OS releases it with the process anyway
    }
  }
}
