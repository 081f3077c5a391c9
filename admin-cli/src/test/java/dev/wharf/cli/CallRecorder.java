package dev.wharf.cli;

import dev.wharf.common.BearerToken;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What wharfctl sends, recorded on its side of the channel: to which server, which method, with
 * which {@code authorization} metadata. Can run a commit between a read's answer and the command
 * seeing it, as another writer would. Thread-safe.
 */
public final class CallRecorder {
  /** One call: the server it went to, its bare method name, its authorization ("" if none). */
  public record Sent(String server, String method, String authorization) {}

  private static final Set<String> READS = Set.of("GetConfig", "GetObject", "ListObjects");

  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final AtomicReference<Runnable> afterNextRead = new AtomicReference<>();

  List<Sent> sent() {
    return List.copyOf(sent);
  }

  void afterNextRead(Runnable commit) {
    afterNextRead.set(commit);
  }

  /** The interceptor of the channels to {@code server}. */
  ClientInterceptor to(String server) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        String name = method.getBareMethodName();
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            String auth = headers.get(BearerToken.AUTHORIZATION);
            sent.add(new Sent(server, name, auth == null ? "" : auth));
            super.start(
                new SimpleForwardingClientCallListener<>(listener) {
                  @Override
                  public void onClose(Status status, Metadata trailers) {
                    if (status.isOk() && READS.contains(name)) {
                      Runnable commit = afterNextRead.getAndSet(null);
                      if (commit != null) {
                        commit.run();
                      }
                    }
                    super.onClose(status, trailers);
                  }
                },
                headers);
          }
        };
      }
    };
  }
}
