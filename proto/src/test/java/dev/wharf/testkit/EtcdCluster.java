package dev.wharf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real etcd 3.4 cluster of 1 or more members, each a child process of this JVM listening on
 * ephemeral 127.0.0.1 ports, with its data and log in a fresh temporary directory.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #start(int)} returns once every member answers {@code /health} with {@code
 *       "health":"true"} (within 20 s), or throws with the tail of each member's log. If a port
 *       picked as free was taken meanwhile, it retries with new ports (3 attempts). Without an
 *       {@code etcd} on {@code PATH} it fails under {@code CI=true} and aborts the test otherwise.
 *   <li>{@link #clientEndpoints()} is fixed for the cluster's life, stopped members included: a
 *       restarted member keeps its ports and data.
 *   <li>{@link #close()} kills every process this cluster started (and nothing else), then deletes
 *       the directory. A JVM shutdown hook does the same if a test forgets.
 * </ul>
 *
 * Member indexes are 0-based. Methods are thread-safe.
 */
public final class EtcdCluster implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);
  private static final int START_ATTEMPTS = 3;
  private static final int LOG_TAIL_LINES = 30;

  private final Path binary;
  private final Path directory;
  private final String token = "wharf-test-" + UUID.randomUUID();
  private final Thread shutdownHook;
  private volatile List<EtcdMember> members = List.of();
  private String initialCluster;
  private boolean closed;

  private EtcdCluster(Path binary, Path directory) {
    this.binary = binary;
    this.directory = directory;
    this.shutdownHook = new Thread(this::killAllAndDelete, "etcd-fixture-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a cluster of {@code size} members and waits until all are healthy. */
  public static EtcdCluster start(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("an etcd cluster needs at least 1 member, not " + size);
    }
    Path binary = EtcdBinary.locate();
    EtcdCluster cluster;
    try {
      cluster = new EtcdCluster(binary, Files.createTempDirectory("wharf-etcd-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      cluster.bootstrap(size);
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private synchronized void bootstrap(int size) {
    for (int attempt = 1; ; attempt++) {
      List<Integer> ports = FreePorts.loopback(2 * size);
      List<EtcdMember> candidates = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        candidates.add(
            new EtcdMember(
                "member-" + i,
                ports.get(2 * i),
                ports.get(2 * i + 1),
                directory.resolve("member-" + i)));
      }
      members = List.copyOf(candidates);
      initialCluster =
          members.stream().map(m -> m.name + "=" + m.peerUri()).collect(Collectors.joining(","));
      try {
        for (EtcdMember member : members) {
          member.start(binary, initialCluster, token);
        }
        long started = System.nanoTime();
        long deadline = started + STARTUP_TIMEOUT.toNanos();
        for (EtcdMember member : members) {
          member.awaitHealthy(deadline);
        }
        System.out.printf(
            "[etcd fixture] %d member(s) healthy in %d ms: %s%n",
            size, (System.nanoTime() - started) / 1_000_000, clientEndpoints());
        return;
      } catch (IOException e) {
        String logs = logTails();
        killAll();
        deleteMemberDirectories();
        if (attempt == START_ATTEMPTS) {
          throw new IllegalStateException(
              "etcd cluster of "
                  + size
                  + " did not start after "
                  + attempt
                  + " attempts: "
                  + e.getMessage()
                  + "\n"
                  + logs,
              e);
        }
        System.err.println(
            "[etcd fixture] start attempt "
                + attempt
                + " failed ("
                + e.getMessage()
                + "); retrying on new ports\n"
                + logs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting etcd", e);
      }
    }
  }

  /** Number of members, running or not. */
  public synchronized int size() {
    return members.size();
  }

  /** Client URLs ({@code http://127.0.0.1:PORT}) of all members, in member order. */
  public synchronized List<URI> clientEndpoints() {
    return members.stream().map(EtcdMember::clientUri).collect(Collectors.toUnmodifiableList());
  }

  /** Client URL of member {@code index}. */
  public synchronized URI clientEndpoint(int index) {
    return member(index).clientUri();
  }

  /** Whether member {@code index}'s process is alive. */
  public synchronized boolean isRunning(int index) {
    return member(index).isRunning();
  }

  /** Stops member {@code index} cleanly (SIGTERM; SIGKILL after 10 s). No-op if not running. */
  public synchronized void stopMember(int index) {
    EtcdMember member = member(index);
    uninterruptibly(member::stop);
  }

  /** Kills member {@code index} with SIGKILL (a crash). No-op if not running. */
  public synchronized void killMember(int index) {
    EtcdMember member = member(index);
    uninterruptibly(member::kill);
  }

  /**
   * Restarts a stopped or killed member on its old ports and data directory, and waits until it is
   * healthy again (20 s).
   *
   * @throws IllegalStateException if it is already running or does not become healthy
   */
  public synchronized void startMember(int index) {
    EtcdMember member = member(index);
    try {
      member.start(binary, initialCluster, token);
      member.awaitHealthy(System.nanoTime() + STARTUP_TIMEOUT.toNanos());
    } catch (IOException e) {
      uninterruptibly(member::kill);
      throw new IllegalStateException(
          "could not restart "
              + member
              + ": "
              + e.getMessage()
              + "\n"
              + member.logTail(LOG_TAIL_LINES),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting " + member, e);
    }
  }

  /**
   * Restarts every member that is not running, all at once (one at a time would wait forever for a
   * leader once quorum is lost), and waits until each is healthy (20 s).
   *
   * @throws IllegalStateException if one does not become healthy
   */
  public synchronized void startStoppedMembers() {
    List<EtcdMember> stopped = members.stream().filter(m -> !m.isRunning()).toList();
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    EtcdMember current = null;
    try {
      for (EtcdMember m : stopped) {
        current = m;
        m.start(binary, initialCluster, token);
      }
      for (EtcdMember m : stopped) {
        current = m;
        m.awaitHealthy(deadline);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not restart "
              + current
              + ": "
              + e.getMessage()
              + "\n"
              + current.logTail(LOG_TAIL_LINES),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restarting " + current, e);
    }
  }

  /** The process of member {@code index} as last started, if any (for assertions). */
  public synchronized Optional<ProcessHandle> process(int index) {
    return member(index).processHandle();
  }

  /** The temporary directory holding every member's {@code data/} and {@code etcd.log}. */
  public Path directory() {
    return directory;
  }

  /** Member {@code index}'s log file (etcd's stdout and stderr). */
  public synchronized Path logFile(int index) {
    return member(index).logFile();
  }

  /** Kills every member process this cluster started and deletes its directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    killAllAndDelete();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException jvmAlreadyShuttingDown) {
      // the hook runs anyway
    }
  }

  @Override
  public synchronized String toString() {
    return "EtcdCluster" + members;
  }

  private EtcdMember member(int index) {
    if (closed) {
      throw new IllegalStateException("the etcd cluster is closed");
    }
    if (index < 0 || index >= members.size()) {
      throw new IndexOutOfBoundsException(
          "member " + index + " of a " + members.size() + "-member cluster");
    }
    return members.get(index);
  }

  // Not synchronized: the shutdown hook must not wait for a test thread holding the lock.
  private void killAllAndDelete() {
    List<EtcdMember> all = members;
    all.forEach(EtcdMember::killNow);
    for (EtcdMember member : all) {
      member.processHandle().ifPresent(EtcdCluster::awaitExit);
    }
    deleteRecursively(directory);
  }

  private static void awaitExit(ProcessHandle process) {
    try {
      process.onExit().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      System.err.println(
          "[etcd fixture] etcd pid " + process.pid() + " did not exit after SIGKILL: " + e);
    }
  }

  private void killAll() {
    members.forEach(member -> uninterruptibly(member::kill));
  }

  private String logTails() {
    return members.stream().map(m -> m.logTail(LOG_TAIL_LINES)).collect(Collectors.joining("\n"));
  }

  private void deleteMemberDirectories() {
    members.forEach(member -> deleteRecursively(member.dir));
  }

  private static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      System.err.println("[etcd fixture] could not delete " + root + ": " + e);
    }
  }

  private interface Interruptible {
    void run() throws InterruptedException;
  }

  /** Runs {@code action} to completion even if interrupted, then restores the interrupt flag. */
  private static void uninterruptibly(Interruptible action) {
    boolean interrupted = false;
    while (true) {
      try {
        action.run();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
