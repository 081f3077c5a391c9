package dev.wharf.controlplane.discovery;

import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.NodeMessage;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Objects;

/**
 * The discovery stream over gRPC: a thin transport over {@link DiscoveryState}, which holds what is
 * pushed and applies the protocol's rules (see discovery.proto). Each stream gets a {@link
 * NodeStream} that hands the node's messages to its session and writes the session's answers back.
 * Serve it behind {@link PeerAddress}, so statuses say where each node is.
 */
public final class DiscoveryService extends DiscoveryGrpc.DiscoveryImplBase {
  private final DiscoveryState state;

  public DiscoveryService(DiscoveryState state) {
    this.state = Objects.requireNonNull(state, "state");
  }

  @Override
  public StreamObserver<NodeMessage> stream(StreamObserver<ControlMessage> responses) {
    return new NodeStream(state, (ServerCallStreamObserver<ControlMessage>) responses);
  }
}
