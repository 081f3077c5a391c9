package dev.wharf.dataplane.accesslog;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {
  @TempDir Path dir;

  private static final ThreadFactory DAEMONS =
      r -> {
        Thread t = new Thread(r, "access-log-test");
        t.setDaemon(true);
        return t;
      };

  /** Threads that start their work only once {@code hold} is released. */
  private static ThreadFactory heldBy(CountDownLatch hold) {
    return r ->
        DAEMONS.newThread(
            () -> {
              try {
                if (hold.await(10, TimeUnit.SECONDS)) {
                  r.run();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  /** Waits, on the writer's idle hook, until {@code file} holds exactly {@code expected}. */
  private static void awaitContent(Semaphore idle, Path file, String expected) throws Exception {
    while (!Files.readString(file).equals(expected)) {
      assertTrue(idle.tryAcquire(10, TimeUnit.SECONDS), "writer never went idle");
    }
  }

  @Test
  void writesEveryLineInOrderAndAppendsToWhatIsThere() throws Exception {
    Path file = dir.resolve("access.log");
    Files.writeString(file, "from before\n");
    List<String> lines = IntStream.range(0, 5000).mapToObj(i -> "line " + i + " é").toList();

    try (AccessLogWriter writer = AccessLogWriter.open(file.toString(), lines.size())) {
      lines.forEach(line -> assertTrue(writer.write(line)));
    }

    List<String> written = Files.readAllLines(file, UTF_8);
    assertEquals("from before", written.get(0));
    assertEquals(lines, written.subList(1, written.size()));
  }

  @Test
  void aFullQueueDropsTheLineAndCountsIt() throws Exception {
    Path file = dir.resolve("access.log");
    CountDownLatch hold = new CountDownLatch(1);
    AccessLogWriter writer = new AccessLogWriter(file.toString(), 2, heldBy(hold), () -> {});

    assertTrue(writer.write("first"));
    assertTrue(writer.write("second"));
    assertFalse(writer.write("third"));
    assertFalse(writer.write("fourth"));
    assertEquals(2, writer.dropped());

    hold.countDown();
    writer.close();
    assertEquals(List.of("first", "second"), Files.readAllLines(file));
  }

  @Test
  void aQuietLogIsFlushedWithoutBeingClosed() throws Exception {
    Path file = dir.resolve("access.log");
    Semaphore idle = new Semaphore(0);
    try (AccessLogWriter writer = new AccessLogWriter(file.toString(), 8, DAEMONS, idle::release)) {
      writer.write("one");

      awaitContent(idle, file, "one\n");
    }
  }

  @Test
  void reopenAfterTheFileWasMovedWritesToANewFileAtThePath() throws Exception {
    Path file = dir.resolve("access.log");
    Path rotated = dir.resolve("access.log.1");
    Semaphore idle = new Semaphore(0);
    AccessLogWriter writer = new AccessLogWriter(file.toString(), 8, DAEMONS, idle::release);
    writer.write("before");
    awaitContent(idle, file, "before\n");

    Files.move(file, rotated);
    writer.reopen();
    writer.write("after");
    writer.close();

    assertEquals("before\n", Files.readString(rotated));
    assertEquals("after\n", Files.readString(file));
  }

  @Test
  void reopenThatCannotOpenThePathKeepsWritingToTheOpenFile() throws Exception {
    Path logs = Files.createDirectory(dir.resolve("logs"));
    Path file = logs.resolve("access.log");
    Path rotated = dir.resolve("access.log.1");
    Semaphore idle = new Semaphore(0);
    AccessLogWriter writer = new AccessLogWriter(file.toString(), 8, DAEMONS, idle::release);
    writer.write("before");
    awaitContent(idle, file, "before\n");

    Files.move(file, rotated);
    Files.delete(logs);
    writer.reopen();
    writer.write("after");
    writer.close();

    assertEquals("before\nafter\n", Files.readString(rotated));
  }

  @Test
  void linesWrittenAfterCloseAreDropped() throws Exception {
    AccessLogWriter writer = AccessLogWriter.open(dir.resolve("access.log").toString(), 8);
    writer.close();

    assertFalse(writer.write("late"));
    assertEquals(1, writer.dropped());
  }

  @Test
  void aFileInAMissingDirectoryIsNotCreatedAndTheErrorNamesThePath() {
    Path file = dir.resolve("missing").resolve("access.log");

    IOException e = assertThrows(IOException.class, () -> AccessLogWriter.open(file.toString(), 8));

    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertFalse(Files.exists(file.getParent()));
  }

  @Test
  void aDirectoryIsNotALogFile() {
    IOException e = assertThrows(IOException.class, () -> AccessLogWriter.open(dir.toString(), 8));

    assertTrue(e.getMessage().startsWith("access log " + dir + ": cannot open: "), e.getMessage());
  }

  @Test
  void stdoutWritesToStandardOutputAndLeavesItOpen() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(captured, true, UTF_8);
    System.setOut(capture);
    try {
      try (AccessLogWriter writer = AccessLogWriter.open("stdout", 8)) {
        writer.write("to stdout é");
      }
      capture.print("still open");
    } finally {
      System.setOut(original);
    }

    assertFalse(capture.checkError());
    assertEquals("to stdout é\nstill open", captured.toString(UTF_8));
  }
}
