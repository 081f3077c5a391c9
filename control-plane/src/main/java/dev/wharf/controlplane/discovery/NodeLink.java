package dev.wharf.controlplane.discovery;

import com.google.protobuf.ByteString;
import dev.wharf.proto.discovery.v1.ControlMessage;

/**
 * How a {@link NodeSession} reaches its node: the transport's side of one stream ({@link
 * NodeStream} over gRPC). Called only under the session's lock, one call at a time; implementations
 * must not block.
 */
interface NodeLink {
  /** Why the control plane ends a stream; the transport turns it into its own status. */
  enum End {
    /** The node sent a message that makes no sense (an empty one, a second hello). */
    MALFORMED,
    /** The node sent something before its hello. */
    BEFORE_HELLO,
    /** The hello claimed a node id the stream's credential is not for. */
    NOT_THIS_NODE,
    /** The same node opened a newer stream on this replica. */
    REPLACED,
    /** This replica is shutting down: the node should fail over now. */
    SHUTDOWN,
    /** The node answered no heartbeat for the replica's node timeout: it hung or is gone. */
    SILENT
  }

  void send(ControlMessage message);

  /**
   * Sends a {@link ControlMessage} already encoded, as it goes on the wire: a snapshot whose config
   * bytes every stream shares ({@link SnapshotPush}).
   */
  void sendEncoded(ByteString message);

  /** Ends the stream with an error the node sees as {@code end} and {@code description}. */
  void end(End end, String description);

  /** Ends the stream normally: the answer to the node closing its side. */
  void complete();
}
