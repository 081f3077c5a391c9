package dev.wharf.controlplane.store;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Waits for etcd calls with a deadline. A member killed while it leads can leave a call unanswered
 * until someone gives up on it (seen with jetcd against a 3-member cluster), so nothing in the
 * store waits without one.
 */
final class EtcdCalls {
  private final List<URI> endpoints;
  private final Duration timeout;

  EtcdCalls(List<URI> endpoints, Duration timeout) {
    this.endpoints = List.copyOf(endpoints);
    this.timeout = timeout;
  }

  /**
   * Starts {@code request} and waits for its result; a {@link StoreException} says that {@code
   * what} (a phrase like "reading /wharf/v1/config/") failed, timed out or could not start (jetcd
   * throws at once on a closed client), and against which endpoints. A timeout or a failure to
   * reach etcd is a {@link StoreUnreachableException}, so the Admin API can say the store is down
   * rather than the replica; the wait never exceeds the call timeout.
   */
  <T> T await(Supplier<CompletableFuture<T>> request, String what) throws StoreException {
    CompletableFuture<T> call;
    try {
      call = request.get();
    } catch (RuntimeException e) {
      throw new StoreUnreachableException(what + " failed (etcd " + endpoints + "): " + e, e);
    }
    try {
      return call.get(timeout.toNanos(), NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(false);
      throw new StoreUnreachableException(
          what + " timed out after " + timeout.toMillis() + " ms (etcd " + endpoints + ")", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StoreUnreachableException(
          what + " failed (etcd " + endpoints + "): " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel(false);
      throw new StoreException("interrupted while " + what + " (etcd " + endpoints + ")", e);
    }
  }

  /**
   * Gives every unary gRPC call the same deadline, so a call this class stopped waiting for does
   * not stay queued in the channel for the rest of an outage. Streams (watch, lease keep-alive) are
   * left alone: they are meant to last.
   */
  static ClientInterceptor unaryDeadline(Duration timeout) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        boolean unary = method.getType() == MethodDescriptor.MethodType.UNARY;
        return next.newCall(
            method,
            unary && options.getDeadline() == null
                ? options.withDeadlineAfter(timeout.toNanos(), NANOSECONDS)
                : options);
      }
    };
  }
}
