package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that throws, even an Error, is reported and the next change is still delivered; a file
 * reached through symlinks is reloaded when they lead elsewhere (a Kubernetes ConfigMap update).
 */
class ConfigFileWatcherTest {
  private static final Duration BOUND = Duration.ofSeconds(15);

  @Test
  void aReloadThatThrowsAnErrorIsReportedAndTheNextChangeIsStillDelivered(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("wharf.yaml");
    Files.writeString(file, "first");
    AtomicInteger calls = new AtomicInteger();
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> reported.add(e));
    try (ConfigFileWatcher watcher =
        new ConfigFileWatcher(
            file,
            () -> {
              if (calls.incrementAndGet() == 1) {
                throw new StackOverflowError("as a 20,000-deep document once did");
              }
            })) {
      watcher.start();

      Files.writeString(file, "second");
      Await.until(
          BOUND,
          () -> calls.get() == 1 && reported.size() == 1,
          () -> calls + " calls, reported " + reported);
      Files.writeString(file, "third");
      Await.until(BOUND, () -> calls.get() == 2, () -> calls + " calls");

      assertEquals("as a 20,000-deep document once did", reported.get(0).getMessage());
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(before);
    }
  }

  /**
   * A log written beside the config all the time (nginx setups keep both under one directory) must
   * not hold a reload back: the watcher ignores events about other files, and never waits for the
   * directory to be quiet longer than its burst bound.
   */
  @Test
  void aLogWrittenBesideTheConfigAllTheTimeDoesNotHoldAnEditBack(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("wharf.yaml");
    Path log = dir.resolve("access.log");
    Files.writeString(file, "first");
    List<String> read = new CopyOnWriteArrayList<>();
    try (ConfigFileWatcher watcher =
        new ConfigFileWatcher(file, () -> read.add(readOrProblem(file)))) {
      watcher.start();
      Thread writer =
          new Thread(
              () -> {
                try {
                  while (read.isEmpty() && !Thread.currentThread().isInterrupted()) {
                    Files.writeString(
                        log, "GET / 200\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                  }
                } catch (java.io.IOException e) {
                  read.add("log write failed: " + e);
                }
              },
              "busy-log");
      writer.start();
      try {
        Files.writeString(file, "edited");
        Await.until(BOUND, () -> !read.isEmpty(), read::toString);
      } finally {
        writer.interrupt();
        writer.join(BOUND.toMillis());
      }
      assertEquals(List.of("edited"), read);
    }
  }

  /**
   * The kubelet's atomic writer: {@code wharf.yaml -> ..data/wharf.yaml}, {@code ..data ->
   * ..2026_12_07_01}; an update writes a new timestamped directory, points a new {@code ..data_tmp}
   * at it and renames that over {@code ..data}. No event ever names {@code wharf.yaml}.
   */
  @Test
  void aConfigMapUpdateThatSwapsTheDataSymlinkIsDelivered(@TempDir Path dir) throws Exception {
    Path first = Files.createDirectory(dir.resolve("..2026_12_07_01"));
    Files.writeString(first.resolve("wharf.yaml"), "first");
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Path file =
        Files.createSymbolicLink(dir.resolve("wharf.yaml"), Path.of("..data", "wharf.yaml"));
    List<String> read = new CopyOnWriteArrayList<>();
    try (ConfigFileWatcher watcher =
        new ConfigFileWatcher(file, () -> read.add(readOrProblem(file)))) {
      watcher.start();

      swap(dir, "..2026_12_07_02", "second");
      Await.until(BOUND, () -> read.equals(List.of("second")), read::toString);
      swap(dir, "..2026_12_07_03", "third");
      Await.until(BOUND, () -> read.equals(List.of("second", "third")), read::toString);
    }
  }

  /** The target of a symlink is edited in its own directory: the change is delivered. */
  @Test
  void anEditOfTheTargetOfASymlinkedFileIsDelivered(@TempDir Path dir) throws Exception {
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    Path target = Files.writeString(elsewhere.resolve("real.yaml"), "first");
    Path links = Files.createDirectory(dir.resolve("etc"));
    Path file = Files.createSymbolicLink(links.resolve("wharf.yaml"), target);
    List<String> read = new CopyOnWriteArrayList<>();
    try (ConfigFileWatcher watcher =
        new ConfigFileWatcher(file, () -> read.add(readOrProblem(file)))) {
      watcher.start();

      Files.writeString(target, "edited");
      Await.until(BOUND, () -> read.equals(List.of("edited")), read::toString);
    }
  }

  private static void swap(Path dir, String timestamped, String content) throws Exception {
    Path next = Files.createDirectory(dir.resolve(timestamped));
    Files.writeString(next.resolve("wharf.yaml"), content);
    Path old = Files.readSymbolicLink(dir.resolve("..data"));
    Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(timestamped));
    Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    Files.delete(dir.resolve(old).resolve("wharf.yaml"));
    Files.delete(dir.resolve(old));
  }

  private static String readOrProblem(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
