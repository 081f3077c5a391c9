package dev.wharf.controlplane.discovery;

import com.google.protobuf.ByteString;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.NodeMessage;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The discovery stream over gRPC: a thin transport over {@link DiscoveryState}, which holds what is
 * pushed and applies the protocol's rules (see discovery.proto). Each stream gets a {@link
 * NodeStream} that hands the node's messages to its session and writes the session's answers back.
 * Serve it behind {@link PeerAddress}, so statuses say where each node is.
 *
 * <p>The stream's responses are sent pre-encoded, the way grpc-java's "preserialized" example does
 * it: {@link #bindService} binds the generated method with {@link EncodedMessages} as its response
 * marshaller, so a snapshot's config bytes are encoded once per version and shared by every stream
 * ({@link SnapshotPush}). Nodes see ordinary {@link ControlMessage}s.
 */
public final class DiscoveryService implements DiscoveryGrpc.AsyncService, BindableService {
  private final DiscoveryState state;

  public DiscoveryService(DiscoveryState state) {
    this.state = Objects.requireNonNull(state, "state");
  }

  @Override
  public ServerServiceDefinition bindService() {
    MethodDescriptor<NodeMessage, ControlMessage> generated = DiscoveryGrpc.getStreamMethod();
    MethodDescriptor<NodeMessage, ByteString> encoded =
        generated.toBuilder(generated.getRequestMarshaller(), EncodedMessages.INSTANCE).build();
    ServerServiceDefinition bound = DiscoveryGrpc.bindService(this);
    ServiceDescriptor.Builder service =
        ServiceDescriptor.newBuilder(DiscoveryGrpc.SERVICE_NAME)
            .setSchemaDescriptor(bound.getServiceDescriptor().getSchemaDescriptor())
            .addMethod(encoded);
    List<ServerMethodDefinition<?, ?>> others = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : bound.getMethods()) {
      if (!m.getMethodDescriptor().getFullMethodName().equals(encoded.getFullMethodName())) {
        service.addMethod(m.getMethodDescriptor());
        others.add(m);
      }
    }
    ServerServiceDefinition.Builder methods =
        ServerServiceDefinition.builder(service.build())
            .addMethod(encoded, ServerCalls.asyncBidiStreamingCall(this::encodedStream));
    others.forEach(methods::addMethod);
    return methods.build();
  }

  private StreamObserver<NodeMessage> encodedStream(StreamObserver<ByteString> responses) {
    return new NodeStream(state, (ServerCallStreamObserver<ByteString>) responses);
  }
}
