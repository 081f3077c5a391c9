package dev.wharf.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a test reads of a process it started: only that process's lines, and a taken port. */
class JarProcessTest {
  private static final Duration BOUND = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aProcessStartedAgainUnderTheSameNameReadsOnlyItsOwnLinesOfTheSharedLog() throws Exception {
    JarProcess first =
        JarProcess.start("node", dir, List.of("sh", "-c", "echo 'listening: web on 127.0.0.1:1'"));
    assertEquals(0, first.awaitExit(BOUND));
    try (JarProcess second =
        JarProcess.start(
            "node", dir, List.of("sh", "-c", "echo 'admin: 127.0.0.1:2'; exec sleep 120"))) {
      assertEquals("127.0.0.1:2", second.awaitLine("admin:", BOUND));
      assertEquals(0, second.countLinesContaining("listening:"), second.output());
      assertEquals("admin: 127.0.0.1:2", second.output());
      assertTrue(
          Files.readString(dir.resolve("node.log")).startsWith("listening: web on 127.0.0.1:1\n"),
          "the log file keeps the first one's lines");
    }
  }

  @Test
  void awaitStartedStopsAProcessThatFoundItsPortTakenAndSaysAddressInUse() throws Exception {
    JarProcess p =
        JarProcess.start(
            "taken",
            dir,
            List.of(
                "sh",
                "-c",
                "echo 'listener web: cannot bind 127.0.0.1:1: Address already in use'; "
                    + "exec sleep 120"));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> p.awaitStarted("listening:", BOUND));
    assertTrue(FreePorts.isAddressInUse(e), e.getMessage());
    assertFalse(p.isAlive(), "the process is stopped before the retry starts another");
  }

  @Test
  void awaitStartedReturnsTheRestOfTheLineItWaitedFor() throws Exception {
    try (JarProcess p =
        JarProcess.start(
            "ok",
            dir,
            List.of("sh", "-c", "echo 'listening: web on 127.0.0.1:3'; exec sleep 120"))) {
      assertEquals("web on 127.0.0.1:3", p.awaitStarted("listening:", BOUND));
    }
  }
}
