package dev.wharf.dataplane.discovery;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.wharf.proto.discovery.v1.Snapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The last snapshot a node acknowledged, kept on disk so that a node restarting while no control
 * plane answers serves it instead of nothing: {@code <stateDir>/snapshot.pb}.
 *
 * <p>Format (big-endian): the magic {@code WHARFSNP} (8 bytes), the format version (int, 1), the
 * payload length (int), the CRC32C of the payload (int), then the payload: a serialized {@link
 * Snapshot} (version, nonce and config). A file that is cut short, has another length than its
 * header says, or whose bytes changed is refused, never half-read.
 *
 * <p>{@link #write} replaces the file atomically: a reader (or a crash) sees the old file or the
 * new one, never a mix. One writer per state directory; not thread-safe for concurrent writes.
 */
public final class SnapshotFile {
  static final byte[] MAGIC = "WHARFSNP".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT_VERSION = 1;
  static final int HEADER_BYTES = MAGIC.length + 4 + 4 + 4;
  private static final String NAME = "snapshot.pb";

  private final Path file;

  private SnapshotFile(Path file) {
    this.file = file;
  }

  /** The snapshot file of a state directory (created on the first write if missing). */
  public static SnapshotFile in(Path stateDir) {
    return new SnapshotFile(stateDir.toAbsolutePath().normalize().resolve(NAME));
  }

  public Path path() {
    return file;
  }

  /**
   * The saved snapshot; empty when there is no file.
   *
   * @throws CorruptSnapshotException the file exists but cannot be trusted
   * @throws IOException the file cannot be read
   */
  public Optional<Snapshot> read() throws IOException, CorruptSnapshotException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (bytes.length < HEADER_BYTES) {
      throw corrupt(
          "it is "
              + bytes.length
              + " bytes long, shorter than the "
              + HEADER_BYTES
              + "-byte header");
    }
    ByteBuffer header = ByteBuffer.wrap(bytes, 0, HEADER_BYTES);
    byte[] magic = new byte[MAGIC.length];
    header.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw corrupt("it does not start with " + new String(MAGIC, StandardCharsets.US_ASCII));
    }
    int format = header.getInt();
    if (format != FORMAT_VERSION) {
      throw corrupt("format version " + format + " (expected: " + FORMAT_VERSION + ")");
    }
    long length = Integer.toUnsignedLong(header.getInt());
    int expectedCrc = header.getInt();
    long actualLength = bytes.length - HEADER_BYTES;
    if (length != actualLength) {
      throw corrupt("the header says " + length + " payload bytes, the file holds " + actualLength);
    }
    int actualCrc = crc(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES);
    if (actualCrc != expectedCrc) {
      throw corrupt(
          String.format(
              "checksum mismatch (header CRC32C %08x, payload %08x)", expectedCrc, actualCrc));
    }
    try {
      return Optional.of(
          Snapshot.parseFrom(ByteBuffer.wrap(bytes, HEADER_BYTES, bytes.length - HEADER_BYTES)));
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptSnapshotException(
          file, "the payload is not a snapshot: " + e.getMessage(), e);
    }
  }

  /**
   * Replaces the file with {@code snapshot}: writes a temporary file beside it, forces it to disk,
   * renames it over the old one, then forces the directory so the rename survives a crash.
   */
  public void write(Snapshot snapshot) throws IOException {
    byte[] payload = snapshot.toByteArray();
    ByteBuffer content =
        ByteBuffer.allocate(HEADER_BYTES + payload.length)
            .put(MAGIC)
            .putInt(FORMAT_VERSION)
            .putInt(payload.length)
            .putInt(crc(payload, 0, payload.length))
            .put(payload)
            .flip();
    Path dir = file.getParent();
    Files.createDirectories(dir);
    Path temp = dir.resolve(NAME + ".tmp");
    try {
      try (FileChannel out =
          FileChannel.open(
              temp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        while (content.hasRemaining()) {
          out.write(content);
        }
        out.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    forceDirectory(dir);
  }

  /** Linux needs the directory synced for a rename to be durable; elsewhere this may fail. */
  private static void forceDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // Not supported on this platform: the rename is still atomic, only maybe not yet durable.
    }
  }

  private CorruptSnapshotException corrupt(String reason) {
    return new CorruptSnapshotException(file, reason);
  }

  private static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
