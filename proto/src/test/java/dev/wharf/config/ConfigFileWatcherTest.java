package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload that throws, even an Error, is reported and the next change is still delivered. */
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
}
