package dev.wharf.controlplane.store;

import static dev.wharf.controlplane.store.StoreAssertions.assertVersion;
import static dev.wharf.controlplane.store.TestConfigs.small;
import static dev.wharf.controlplane.store.TestConfigs.status;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.wharf.proto.store.v1.Commit;
import dev.wharf.proto.store.v1.FileStoreState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What only the file store does: outlive its process, guard its directory, refuse bad state. */
@Timeout(30)
class FileConfigStoreTest {
  private static final Instant NOW = Instant.parse("2026-11-05T10:15:30.123Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path dataDir;

  @Test
  void theConfigAndItsVersionOutliveTheStoreAndVersionsGoOnFromThere() throws Exception {
    long version;
    try (FileConfigStore store = FileConfigStore.open(dataDir, CLOCK)) {
      version = store.commit(0, small("one"), "alice", "first");
      version = store.commit(version, small("two"), "bob", "second");
      store.nodes().put(status("node-1", "standalone"));
    }

    try (FileConfigStore reopened = FileConfigStore.open(dataDir, CLOCK)) {
      assertVersion(version, small("two"), reopened.read());
      assertEquals(List.of(), reopened.nodes().list(), "statuses live as long as the process");
      assertEquals(version + 1, reopened.commit(version, small("three"), "carol", "third"));
    }
  }

  @Test
  void theHistoryOutlivesTheStore() throws Exception {
    List<HistoryRecord> history;
    VersionedConfig first;
    try (FileConfigStore store = FileConfigStore.open(dataDir, CLOCK)) {
      long version = store.commit(0, small("one"), "alice", "first");
      first = store.read();
      version = store.commit(version, small("two"), "bob", "second");
      store.commit(version, small("three"), "carol", "third");
      history = store.history(20);
    }

    try (FileConfigStore reopened = FileConfigStore.open(dataDir, CLOCK)) {
      assertEquals(history, reopened.history(20));
      assertEquals(
          List.of("carol", "bob", "alice"),
          history.stream().map(HistoryRecord::principal).toList());
      assertEquals(Optional.of(first), reopened.version(first.version()));
    }
  }

  @Test
  void aStateFileWrittenBeforeHistoryWasKeptStartsTheHistoryAtItsVersion() throws Exception {
    Files.write(
        dataDir.resolve("config.pb"),
        FileStoreState.newBuilder()
            .setRevision(7)
            .setCommit(Commit.newBuilder().setPrincipal("alice").setSummary("long ago"))
            .setConfig(small("old"))
            .build()
            .toByteArray());

    try (FileConfigStore store = FileConfigStore.open(dataDir, CLOCK)) {
      assertEquals(
          List.of(new HistoryRecord(7, Instant.EPOCH, "alice", "long ago")), store.history(20));
      store.commit(7, small("new"), "bob", "now");

      assertEquals(
          List.of(8L, 7L), store.history(20).stream().map(HistoryRecord::version).toList());
      assertEquals(small("old"), store.version(7).orElseThrow().config());
    }
  }

  @Test
  void theFileRecordsWhoCommittedWhatAndWhen() throws Exception {
    try (FileConfigStore store = FileConfigStore.open(dataDir, CLOCK)) {
      store.commit(0, small("one"), "alice", "first config");
    }

    FileStoreState state =
        FileStoreState.parseFrom(Files.readAllBytes(dataDir.resolve("config.pb")));

    assertEquals(1, state.getRevision());
    assertEquals(
        Commit.newBuilder()
            .addAllRouteOrder(List.of("app", "hello"))
            .setPrincipal("alice")
            .setSummary("first config")
            .setCommittedAt(
                Timestamp.newBuilder().setSeconds(NOW.getEpochSecond()).setNanos(NOW.getNano()))
            .build(),
        state.getCommit());
    assertEquals(small("one"), state.getConfig());
  }

  @Test
  void aSecondStoreOnTheSameDirectoryIsRefusedUntilTheFirstCloses() throws Exception {
    try (FileConfigStore first = FileConfigStore.open(dataDir, CLOCK)) {
      StoreException refused =
          assertThrows(StoreException.class, () -> FileConfigStore.open(dataDir, CLOCK));
      assertTrue(
          refused
              .getMessage()
              .startsWith("data directory " + dataDir + " is in use by another process"),
          refused.getMessage());
      first.commit(0, small("one"), "alice", "the first store still works");
    }

    try (FileConfigStore second = FileConfigStore.open(dataDir, CLOCK)) {
      assertEquals(small("one"), second.read().config());
    }
  }

  @Test
  void aCorruptedStateFileStopsTheOpenNamesTheFileAndIsLeftAsItWas() throws Exception {
    Path file = dataDir.resolve("config.pb");
    byte[] garbage = "this is not a protobuf message".getBytes(UTF_8);
    Files.write(file, garbage);

    StoreException refused =
        assertThrows(StoreException.class, () -> FileConfigStore.open(dataDir, CLOCK));

    assertTrue(
        refused.getMessage().startsWith(file + " is not a Wharf config store state"),
        refused.getMessage());
    assertArrayEquals(garbage, Files.readAllBytes(file));
    Files.delete(file);
    try (FileConfigStore store = FileConfigStore.open(dataDir, CLOCK)) {
      assertEquals(VersionedConfig.EMPTY, store.read(), "the failed open released the lock");
    }
  }

  @Test
  void aFileThatParsesButHoldsNoRevisionIsRefusedToo() throws Exception {
    Path file = dataDir.resolve("config.pb");
    Files.write(file, new byte[0]);

    StoreException refused =
        assertThrows(StoreException.class, () -> FileConfigStore.open(dataDir, CLOCK));

    assertTrue(
        refused
            .getMessage()
            .contains(file + " is not a Wharf config store state: " + "it holds no revision"),
        refused.getMessage());
  }

  @Test
  void aNoOpCommitLeavesTheFileUntouched() throws Exception {
    try (FileConfigStore store = FileConfigStore.open(dataDir, CLOCK)) {
      long version = store.commit(0, small("one"), "alice", "first");
      byte[] before = Files.readAllBytes(dataDir.resolve("config.pb"));

      assertEquals(version, store.commit(version, small("one"), "bob", "same again"));

      assertArrayEquals(before, Files.readAllBytes(dataDir.resolve("config.pb")));
      try (Stream<Path> files = Files.list(dataDir)) {
        assertEquals(
            List.of("config.pb", "lock"),
            files.map(p -> p.getFileName().toString()).sorted().toList(),
            "a commit leaves no temporary file behind");
      }
    }
  }
}
