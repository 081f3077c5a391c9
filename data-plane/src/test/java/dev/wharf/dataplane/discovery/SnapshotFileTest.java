package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.discovery.v1.Snapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk snapshot: what is written reads back, and every kind of damage is named. */
class SnapshotFileTest {
  private static final Snapshot SNAPSHOT =
      Snapshot.newBuilder()
          .setVersion(42)
          .setNonce("nonce-42")
          .setConfig(
              Config.newBuilder().addListeners(Listener.newBuilder().setName("web").setPort(8080)))
          .build();

  @TempDir Path dir;
  private SnapshotFile file;
  private Path path;

  @BeforeEach
  void setUp() {
    file = SnapshotFile.in(dir.resolve("state"));
    path = file.path();
  }

  @Test
  void aMissingFileIsEmptyNotAnError() throws Exception {
    assertEquals(Optional.empty(), file.read());
  }

  @Test
  void whatIsWrittenReadsBackWithVersionNonceAndConfig() throws Exception {
    file.write(SNAPSHOT);

    assertEquals(Optional.of(SNAPSHOT), file.read());
    assertEquals(dir.resolve("state").resolve("snapshot.pb"), path);
  }

  @Test
  void aSecondWriteReplacesTheFirstAndLeavesNoTemporaryFile() throws Exception {
    file.write(SNAPSHOT);
    Snapshot next = SNAPSHOT.toBuilder().setVersion(43).setNonce("nonce-43").build();

    file.write(next);

    assertEquals(Optional.of(next), file.read());
    try (var files = Files.list(path.getParent())) {
      assertEquals(java.util.List.of(path), files.toList());
    }
  }

  @Test
  void theHeaderIsMagicFormatLengthAndCrc32cOfThePayload() throws Exception {
    file.write(SNAPSHOT);
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path));
    byte[] payload = SNAPSHOT.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(payload);

    byte[] magic = new byte[8];
    bytes.get(magic);
    assertEquals("WHARFSNP", new String(magic, StandardCharsets.US_ASCII));
    assertEquals(1, bytes.getInt());
    assertEquals(payload.length, bytes.getInt());
    assertEquals((int) crc.getValue(), bytes.getInt());
    assertEquals(payload.length, bytes.remaining());
  }

  @Test
  void aFlippedPayloadByteIsAChecksumMismatch() throws Exception {
    file.write(SNAPSHOT);
    damage(bytes -> bytes[bytes.length - 1] ^= 1);

    assertCorrupt("checksum mismatch (header CRC32C ");
  }

  @Test
  void aTruncatedPayloadIsALengthMismatch() throws Exception {
    file.write(SNAPSHOT);
    int payload = SNAPSHOT.getSerializedSize();
    Files.write(path, Arrays.copyOf(Files.readAllBytes(path), 20 + payload - 5));

    assertCorrupt("the header says " + payload + " payload bytes, the file holds " + (payload - 5));
  }

  @Test
  void extraBytesAfterThePayloadAreALengthMismatch() throws Exception {
    file.write(SNAPSHOT);
    byte[] bytes = Files.readAllBytes(path);
    Files.write(path, Arrays.copyOf(bytes, bytes.length + 1));

    assertCorrupt("the header says " + SNAPSHOT.getSerializedSize() + " payload bytes");
  }

  @Test
  void aFileShorterThanTheHeaderIsNamedAsSuch() throws Exception {
    Files.createDirectories(path.getParent());
    Files.write(path, "WHARFSNP".getBytes(StandardCharsets.US_ASCII));

    assertCorrupt("it is 8 bytes long, shorter than the 20-byte header");
  }

  @Test
  void anEmptyFileIsCorruptNotMissing() throws Exception {
    Files.createDirectories(path.getParent());
    Files.write(path, new byte[0]);

    assertCorrupt("it is 0 bytes long, shorter than the 20-byte header");
  }

  @Test
  void aFileOfAnotherKindHasBadMagic() throws Exception {
    Files.createDirectories(path.getParent());
    Files.writeString(path, "listeners:\n  - {name: web, port: 8080}\n");

    assertCorrupt("it does not start with WHARFSNP");
  }

  @Test
  void anUnknownFormatVersionIsRefused() throws Exception {
    file.write(SNAPSHOT);
    damage(bytes -> bytes[11] = 2);

    assertCorrupt("format version 2 (expected: 1)");
  }

  @Test
  void aPayloadThatIsNotASnapshotIsRefusedEvenWithARightChecksum() throws Exception {
    byte[] payload = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
    CRC32C crc = new CRC32C();
    crc.update(payload);
    Files.createDirectories(path.getParent());
    Files.write(
        path,
        ByteBuffer.allocate(20 + payload.length)
            .put("WHARFSNP".getBytes(StandardCharsets.US_ASCII))
            .putInt(1)
            .putInt(payload.length)
            .putInt((int) crc.getValue())
            .put(payload)
            .array());

    assertCorrupt("the payload is not a snapshot: ");
  }

  private interface Damage {
    void apply(byte[] bytes);
  }

  private void damage(Damage d) throws Exception {
    byte[] bytes = Files.readAllBytes(path);
    d.apply(bytes);
    Files.write(path, bytes);
  }

  private void assertCorrupt(String reasonStart) {
    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class, file::read);
    assertTrue(e.getMessage().startsWith(path + " is corrupt: " + reasonStart), e.getMessage());
    assertEquals(path, e.file());
  }
}
