package dev.wharf.controlplane.store;

import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardCopyOption.REPLACE_EXISTING;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.wharf.proto.store.v1.FileStoreState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code config.pb}: the file store's state, replaced as a whole. A write goes to a temporary file
 * in the same directory, is forced to disk, then renamed over the old one, so after a crash the
 * file holds either the old state or the new one, never a mix.
 */
final class StateFile {
  private final Path file;
  private final Path temporary;

  StateFile(Path dataDir) {
    this.file = dataDir.resolve("config.pb");
    this.temporary = dataDir.resolve("config.pb.tmp");
  }

  Path path() {
    return file;
  }

  /**
   * The stored state; the default (empty) state when there is no file yet.
   *
   * @throws StoreException naming the file when it cannot be read or is not a state this store
   *     wrote: the store refuses to start rather than start empty over it
   */
  FileStoreState load() throws StoreException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return FileStoreState.getDefaultInstance();
    } catch (IOException e) {
      throw new StoreException("cannot read " + file + ": " + e, e);
    }
    FileStoreState state;
    try {
      state = FileStoreState.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw corrupt("it does not parse (" + e.getMessage() + ")", e);
    }
    if (state.getRevision() == 0) {
      // Every state this store writes has a revision; a file without one is someone else's.
      throw corrupt("it holds no revision", null);
    }
    return state;
  }

  private StoreException corrupt(String reason, Throwable cause) {
    return new StoreException(
        file
            + " is not a Wharf config store state: "
            + reason
            + "; restore it from a backup or move it away to start with an empty config",
        cause);
  }

  /** Replaces the file with {@code state}, durably. */
  void write(FileStoreState state) throws StoreException {
    try {
      try (FileChannel out = FileChannel.open(temporary, CREATE, WRITE, TRUNCATE_EXISTING)) {
        ByteBuffer bytes = ByteBuffer.wrap(state.toByteArray());
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      Files.move(temporary, file, ATOMIC_MOVE, REPLACE_EXISTING);
      forceDirectory();
    } catch (IOException e) {
      throw new StoreException("cannot write " + file + ": " + e, e);
    }
  }

  /** Makes the rename itself durable; not every file system lets a directory be opened. */
  private void forceDirectory() {
    try (FileChannel dir = FileChannel.open(file.getParent(), READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException notSupported) {
      // the rename is atomic still; only its durability across a power loss is weaker
    }
  }
}
