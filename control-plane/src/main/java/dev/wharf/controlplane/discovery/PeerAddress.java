package dev.wharf.controlplane.discovery;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.SocketAddress;

/**
 * Makes the caller's address visible to service code, which gRPC's stubs do not expose: node
 * statuses record where each node connects from.
 */
public final class PeerAddress implements ServerInterceptor {
  private static final Context.Key<String> KEY = Context.key("wharf-peer-address");

  /** The current call's remote address, or "" outside a call or on in-process transports. */
  static String current() {
    String peer = KEY.get();
    return peer == null ? "" : peer;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String text = remote == null ? "" : remote.toString();
    return Contexts.interceptCall(Context.current().withValue(KEY, text), call, headers, next);
  }
}
