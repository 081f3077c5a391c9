package dev.wharf.controlplane.server;

import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import java.util.concurrent.Executor;

/**
 * Where a TCP server runs each call's callbacks: a discovery stream's on the transport's own thread
 * (the connection's event loop), every other call's on gRPC's default pool.
 *
 * <p>Why: a rollout to 1,000 nodes brings 1,000 ACKs within milliseconds, and on the default pool
 * each is a hand-off to another thread (a queue, a wake-up, often a new thread: a profile of a
 * rollout showed 80+ pool threads on two cores), for work that takes microseconds and never blocks:
 * a session takes its own lock, updates the node's status, hands it to the status writer's queue
 * and may write the next push to its stream ({@code DiscoveryState} says so and keeps it so). The
 * Admin API blocks on the store, so it stays on the pool. gRPC still delivers one stream's messages
 * in order, one at a time.
 *
 * <p>Only for transports whose messages arrive on their own threads (Netty): in-process, a caller
 * would run the session on its own thread, inside its own locks.
 */
final class DiscoveryCallThreads implements ServerCallExecutorSupplier {
  static final DiscoveryCallThreads INSTANCE = new DiscoveryCallThreads();

  private static final String DISCOVERY = DiscoveryGrpc.getStreamMethod().getFullMethodName();
  private static final Executor TRANSPORT_THREAD = Runnable::run;

  private DiscoveryCallThreads() {}

  @Override
  public <ReqT, RespT> Executor getExecutor(ServerCall<ReqT, RespT> call, Metadata headers) {
    return DISCOVERY.equals(call.getMethodDescriptor().getFullMethodName())
        ? TRANSPORT_THREAD
        : null; // the server's default
  }
}
