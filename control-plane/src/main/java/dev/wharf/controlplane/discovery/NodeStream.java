package dev.wharf.controlplane.discovery;

import com.google.protobuf.ByteString;
import dev.wharf.controlplane.admin.Caller;
import dev.wharf.controlplane.admin.Role;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.NodeMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;

/**
 * One node's gRPC stream: what the node sends goes to its {@link NodeSession}; what the session
 * sends, and how it ends the stream, goes back as gRPC messages and statuses. The session is told
 * which node ids the call's credential may claim ({@link Caller}, attached by the replica's
 * authentication). No state of its own, so no lock: gRPC delivers one stream's messages in order,
 * and the session serializes everything, writes to {@code out} included (gRPC's observers are not
 * thread-safe).
 */
final class NodeStream implements StreamObserver<NodeMessage> {
  private final NodeSession session;

  NodeStream(DiscoveryState state, ServerCallStreamObserver<ByteString> out) {
    this.session = state.open(PeerAddress.current(), credential(Caller.current()), new Link(out));
  }

  /** What the caller the authenticator attached may claim; null: served without one. */
  static NodeCredential credential(Caller caller) {
    if (caller == null) {
      return NodeCredential.UNAUTHENTICATED;
    }
    if (caller.role() != Role.NODE) {
      return new NodeCredential(caller.principal(), NodeCredential.Scope.ANY, Set.of());
    }
    return caller.nodeIds().isEmpty()
        ? new NodeCredential(caller.principal(), NodeCredential.Scope.UNBOUND, Set.of())
        : new NodeCredential(caller.principal(), NodeCredential.Scope.BOUND, caller.nodeIds());
  }

  @Override
  public void onNext(NodeMessage message) {
    session.received(message);
  }

  @Override
  public void onError(Throwable t) {
    session.disconnected(Status.fromThrowable(t).toString());
  }

  @Override
  public void onCompleted() {
    session.closedByNode();
  }

  /** Writes encoded messages: gRPC sends their bytes as they are ({@link EncodedMessages}). */
  private record Link(ServerCallStreamObserver<ByteString> out) implements NodeLink {
    @Override
    public void send(ControlMessage message) {
      out.onNext(message.toByteString());
    }

    @Override
    public void sendEncoded(ByteString message) {
      out.onNext(message);
    }

    @Override
    public void end(End end, String description) {
      Status status =
          switch (end) {
            case MALFORMED -> Status.INVALID_ARGUMENT;
            case BEFORE_HELLO -> Status.FAILED_PRECONDITION;
            case NOT_THIS_NODE -> Status.PERMISSION_DENIED;
            case REPLACED -> Status.ALREADY_EXISTS;
            case SHUTDOWN, SILENT -> Status.UNAVAILABLE;
          };
      out.onError(status.withDescription(description).asRuntimeException());
    }

    @Override
    public void complete() {
      out.onCompleted();
    }
  }
}
