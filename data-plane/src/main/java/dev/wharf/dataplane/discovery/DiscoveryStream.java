package dev.wharf.dataplane.discovery;

import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.Heartbeat;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream to one control-plane replica, from its hello to its end, on a channel of its own.
 *
 * <p>Threading: gRPC calls this observer on its own threads, one call at a time; each callback is
 * handed, in arrival order, to the client's single config thread, so snapshots and the stream's end
 * are handled in the order they came. Sending is guarded by this object's lock because a gRPC
 * {@code StreamObserver} is not thread-safe and {@link #close} may come from another thread than
 * the acks.
 */
final class DiscoveryStream implements ClientResponseObserver<NodeMessage, ControlMessage> {
  private static final Logger log = LoggerFactory.getLogger(DiscoveryStream.class);

  /** What the client does with this stream's messages, on its config thread. */
  interface Handler {
    void snapshot(DiscoveryStream stream, Snapshot snapshot);

    void ended(DiscoveryStream stream, Status status);

    void drain(DiscoveryStream stream, String requestedBy);

    /** The replica holds more than its share of the fleet and asks this node to move. */
    void moveAway(DiscoveryStream stream, String reason);
  }

  final String target;
  final long openedAtNanos;

  /** A snapshot arrived on this stream; config thread only. */
  boolean delivered;

  private final ManagedChannel channel;
  private final Executor configThread;
  private final LongSupplier nanoTime;
  private volatile long lastHeardNanos;
  private final Handler handler;
  private ClientCallStreamObserver<NodeMessage> requests; // guarded by this
  private boolean closed; // guarded by this

  private DiscoveryStream(
      String target,
      ManagedChannel channel,
      Executor configThread,
      Handler handler,
      LongSupplier nanoTime) {
    this.target = target;
    this.channel = channel;
    this.configThread = configThread;
    this.handler = handler;
    this.nanoTime = nanoTime;
    this.openedAtNanos = nanoTime.getAsLong();
    this.lastHeardNanos = openedAtNanos;
  }

  /** Starts the call and says hello. */
  static DiscoveryStream open(
      String target,
      ManagedChannel channel,
      List<ClientInterceptor> interceptors,
      Executor configThread,
      Handler handler,
      Hello hello,
      LongSupplier nanoTime,
      PushDecoder decoder) {
    DiscoveryStream s = new DiscoveryStream(target, channel, configThread, handler, nanoTime);
    MethodDescriptor<NodeMessage, ControlMessage> method =
        DiscoveryGrpc.getStreamMethod().toBuilder().setResponseMarshaller(decoder).build();
    Channel intercepted = ClientInterceptors.intercept(channel, interceptors);
    ClientCalls.asyncBidiStreamingCall(intercepted.newCall(method, CallOptions.DEFAULT), s);
    s.send(NodeMessage.newBuilder().setHello(hello).build());
    s.logWhenReady(channel.getState(false), hello);
    return s;
  }

  /** Says once that the channel came up: the control plane may have nothing to push. */
  private void logWhenReady(ConnectivityState state, Hello hello) {
    if (state == ConnectivityState.READY) {
      log.info(
          "node {}: connected to control plane {}, said hello with version {}",
          hello.getNodeId(),
          target,
          hello.getVersion());
    } else if (state != ConnectivityState.SHUTDOWN) {
      channel.notifyWhenStateChanged(state, () -> logWhenReady(channel.getState(false), hello));
    }
  }

  @Override
  public synchronized void beforeStart(ClientCallStreamObserver<NodeMessage> requestStream) {
    this.requests = requestStream;
  }

  /** Sends {@code message} unless the stream is closed; a stream that just died drops it. */
  synchronized void send(NodeMessage message) {
    if (closed) {
      return;
    }
    try {
      requests.onNext(message);
    } catch (RuntimeException e) {
      // The call ended between our last look and now; its end is already on its way to us.
      log.debug("stream to {}: message dropped: {}", target, e.toString());
    }
  }

  /** The channel is up and the stream not closed. */
  synchronized boolean connected() {
    return !closed && channel.getState(false) == ConnectivityState.READY;
  }

  /** Cancels the call (if still open) and shuts the channel down; idempotent. */
  void close(String why) {
    synchronized (this) {
      if (!closed) {
        closed = true;
        requests.cancel(why, null);
      }
    }
    channel.shutdownNow();
  }

  /** Waits up to {@code millis} for the channel's threads to finish. */
  void awaitClosed(long millis) throws InterruptedException {
    channel.awaitTermination(millis, TimeUnit.MILLISECONDS);
  }

  /** When the replica was last heard from (any message), or when the stream opened. */
  long lastHeardNanos() {
    return lastHeardNanos;
  }

  @Override
  public void onNext(ControlMessage message) {
    lastHeardNanos = nanoTime.getAsLong();
    if (message.hasHeartbeat()) {
      // Answered here, not on the config thread: a long apply must not make the node look hung.
      send(NodeMessage.newBuilder().setHeartbeat(Heartbeat.getDefaultInstance()).build());
    } else if (message.hasMoveAway()) {
      hop(() -> handler.moveAway(this, message.getMoveAway().getReason()));
    } else if (message.hasSnapshot()) {
      hop(() -> handler.snapshot(this, message.getSnapshot()));
    } else if (message.hasDrain()) {
      hop(() -> handler.drain(this, message.getDrain().getRequestedBy()));
    } else {
      log.debug("stream to {}: ignoring a message of a kind this node does not know", target);
    }
  }

  @Override
  public void onError(Throwable t) {
    hop(() -> handler.ended(this, Status.fromThrowable(t)));
  }

  @Override
  public void onCompleted() {
    hop(() -> handler.ended(this, Status.OK.withDescription("the control plane ended the stream")));
  }

  private void hop(Runnable task) {
    try {
      configThread.execute(task);
    } catch (RejectedExecutionException e) {
      // The client is closing; nothing waits for this stream any more.
    }
  }

  @Override
  public String toString() {
    return "stream to " + target;
  }

  /**
   * {@code UNAVAILABLE (io exception): Connection refused: /127.0.0.1:7000}: the status, the first
   * line of its description, and the innermost cause (for TLS the certificate problem, not "General
   * OpenSslEngine problem").
   */
  static String describeEnd(Status status) {
    StringBuilder out = new StringBuilder("stream ended: ").append(status.getCode());
    String description = status.getDescription();
    if (description != null) {
      out.append(" (").append(description.lines().findFirst().orElse("")).append(')');
    }
    String cause = null;
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      cause = t.getMessage() != null ? t.getMessage() : t.toString();
    }
    if (cause != null) {
      out.append(": ").append(cause.lines().findFirst().orElse(""));
    }
    return out.toString();
  }
}
