package dev.wharf.bench.fleet;

import dev.wharf.dataplane.discovery.PushDecoder;
import dev.wharf.proto.discovery.v1.Ack;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.Heartbeat;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;

/**
 * One simulated data-plane node: a discovery stream that says hello with version 0, answers
 * heartbeats, and ACKs each snapshot as soon as it is decoded, recording when the ACK was handed to
 * the transport. It decodes pushes as a real node does ({@link PushDecoder}, one per stream: the
 * routes whose bytes did not change since the previous push are taken over, not parsed again), and
 * then does nothing a real node does before its ACK: it does not validate, compile or swap the
 * config, nor write and fsync its snapshot (a real node's apply is measured on its own, {@code
 * snapshot-build}). So the figures are the control plane's fan-out: serialization, HTTP/2, the
 * kernel's network stack and the decoding every node does. Decoding is timed on its own ({@link
 * VersionTimeline}: when a push arrives, how long the node spent decoding).
 *
 * <p>Threading: gRPC calls this observer one message at a time, on the channel's executor (a pool
 * of the simulator's, not the event loop: so an ACK is written and flushed by the event loop as
 * soon as it is handed over, not after the other nodes of the channel decoded their pushes).
 * Sending is synchronized because {@link #close} comes from another thread.
 */
final class SimulatedNode implements ClientResponseObserver<NodeMessage, ControlMessage> {
  private static final String ID_PREFIX = "sim-";

  private final int index;
  private final String id;
  private final AckTracker tracker;
  private final VersionTimeline timeline;
  private ClientCallStreamObserver<NodeMessage> requests; // guarded by this
  private boolean closing; // guarded by this

  /**
   * The discovery method with the node's own push decoder, wrapped to note when it starts and ends
   * decoding each message. gRPC decodes a message in the call's executor right before it hands it
   * to {@link #onNext} on the same thread.
   */
  private static MethodDescriptor<NodeMessage, ControlMessage> decodingStream() {
    return DiscoveryGrpc.getStreamMethod().toBuilder(
            DiscoveryGrpc.getStreamMethod().getRequestMarshaller(),
            new TimedParse(new PushDecoder()))
        .build();
  }

  private SimulatedNode(int index, String id, AckTracker tracker, VersionTimeline timeline) {
    this.index = index;
    this.id = id;
    this.tracker = tracker;
    this.timeline = timeline;
  }

  /** The index of the node named {@code id}; -1 for a name the simulator never gives. */
  static int indexOf(String id) {
    if (!id.startsWith(ID_PREFIX)) {
      return -1;
    }
    try {
      return Integer.parseInt(id.substring(ID_PREFIX.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Opens the node's stream on {@code channel} (shared with other nodes) and says hello. */
  static SimulatedNode connect(
      Channel channel, int index, AckTracker tracker, VersionTimeline timeline) {
    SimulatedNode node =
        new SimulatedNode(index, String.format(ID_PREFIX + "%05d", index), tracker, timeline);
    ClientCalls.asyncBidiStreamingCall(
        channel.newCall(decodingStream(), CallOptions.DEFAULT), node);
    node.send(
        NodeMessage.newBuilder()
            .setHello(Hello.newBuilder().setNodeId(node.id).putLabels("fleet", "simulated"))
            .build());
    return node;
  }

  @Override
  public synchronized void beforeStart(ClientCallStreamObserver<NodeMessage> requestStream) {
    this.requests = requestStream;
  }

  @Override
  public void onNext(ControlMessage message) {
    long[] parse = TimedParse.last();
    if (message.hasHeartbeat()) {
      // answered at once, as a node does, or the replica ends the stream of a silent node
      send(NodeMessage.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());
      return;
    }
    if (!message.hasSnapshot()) {
      tracker.problem(id + ": a control message without a snapshot");
      return;
    }
    Snapshot s = message.getSnapshot();
    if (s.getConfig().getRoutesCount() == 0) {
      tracker.problem(id + ": version " + s.getVersion() + " arrived without routes");
      return;
    }
    timeline.parsed(s.getVersion(), parse[0], parse[1]);
    send(
        NodeMessage.newBuilder()
            .setAck(Ack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce()))
            .build());
    long sent = System.nanoTime();
    timeline.mark(s.getVersion(), VersionTimeline.Stage.ACK_SENT, sent);
    tracker.acked(index, s.getVersion(), sent);
  }

  private synchronized void send(NodeMessage message) {
    if (!closing) {
      requests.onNext(message);
    }
  }

  @Override
  public void onError(Throwable t) {
    ended("stream failed: " + Status.fromThrowable(t));
  }

  @Override
  public void onCompleted() {
    ended("the control plane ended the stream");
  }

  private void ended(String why) {
    synchronized (this) {
      if (closing) {
        return;
      }
    }
    tracker.problem(id + ": " + why);
  }

  /** Ends the stream from the node's side; what the control plane answers is not a problem. */
  synchronized void close() {
    if (!closing) {
      closing = true;
      requests.onCompleted();
    }
  }
}
