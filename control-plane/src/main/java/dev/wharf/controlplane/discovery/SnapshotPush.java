package dev.wharf.controlplane.discovery;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A push as the bytes of a {@link ControlMessage} carrying a {@link Snapshot}, built around the
 * config's bytes that {@link PublishedSnapshot} encoded once for every stream: per stream only the
 * few bytes of the version and the nonce are written, and the config's bytes are shared, not copied
 * (a rope). The result is byte for byte what {@code ControlMessage.toByteString()} gives for the
 * same snapshot, so a node cannot tell the difference.
 *
 * <p>Threading: stateless; the shared bytes are immutable.
 */
final class SnapshotPush {
  private static final int SNAPSHOT = ControlMessage.SNAPSHOT_FIELD_NUMBER;
  private static final int VERSION = Snapshot.VERSION_FIELD_NUMBER;
  private static final int NONCE = Snapshot.NONCE_FIELD_NUMBER;
  private static final int CONFIG = Snapshot.CONFIG_FIELD_NUMBER;

  private SnapshotPush() {}

  /** The encoded {@code ControlMessage{snapshot{version, nonce, config}}} of {@code published}. */
  static ByteString encode(PublishedSnapshot published, String nonce) {
    ByteString config = published.configBytes();
    int configField =
        CodedOutputStream.computeTagSize(CONFIG)
            + CodedOutputStream.computeUInt32SizeNoTag(config.size())
            + config.size();
    int snapshotLength =
        CodedOutputStream.computeUInt64Size(VERSION, published.version())
            + (nonce.isEmpty() ? 0 : CodedOutputStream.computeStringSize(NONCE, nonce))
            + configField;
    byte[] head =
        new byte
            [CodedOutputStream.computeTagSize(SNAPSHOT)
                + CodedOutputStream.computeUInt32SizeNoTag(snapshotLength)
                + snapshotLength
                - config.size()];
    CodedOutputStream out = CodedOutputStream.newInstance(head);
    try {
      out.writeTag(SNAPSHOT, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(snapshotLength);
      out.writeUInt64(VERSION, published.version());
      if (!nonce.isEmpty()) {
        out.writeString(NONCE, nonce);
      }
      out.writeTag(CONFIG, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(config.size());
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("a push header did not fit its computed size", e);
    }
    return UnsafeByteOperations.unsafeWrap(head).concat(config);
  }
}
