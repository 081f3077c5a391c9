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

/**
 * Waits for etcd calls with a deadline. A member killed while it leads can leave a call
 * unanswered until someone gives up on it (TOOLCHAIN.md), so nothing in the store waits
 * without one.
 */
final class EtcdCalls {
  private final List<URI> endpoints;
  private final Duration timeout;

  EtcdCalls(List<URI> endpoints, Duration timeout) {
    this.endpoints = List.copyOf(endpoints);
    this.timeout = timeout;
  }

  /**
   * The result of {@code call}, or a {@link StoreException} saying that {@code what} (a phrase
   * like "reading /wharf/v1/config/") failed or timed out, against which endpoints.
   */
  <T> T await(CompletableFuture<T> call, String what) throws StoreException {
    try {
      return call.get(timeout.toNanos(), NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(false);
      throw new StoreException(what + " timed out after " + timeout.toMillis()
          + " ms (etcd " + endpoints + ")", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new StoreException(what + " failed (etcd " + endpoints + "): " + cause.getMessage(),
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel(false);
      throw new StoreException("interrupted while " + what + " (etcd " + endpoints + ")", e);
    }
  }

  /**
   * Gives every unary gRPC call the same deadline, so a call this class stopped waiting for
   * does not stay queued in the channel for the rest of an outage. Streams (watch, lease
   * keep-alive) are left alone: they are meant to last.
   */
  static ClientInterceptor unaryDeadline(Duration timeout) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        if (method.getType() == MethodDescriptor.MethodType.UNARY && options.getDeadline() == null) {
          options = options.withDeadlineAfter(timeout.toNanos(), NANOSECONDS);
        }
        return next.newCall(method, options);
      }
    };
  }
}
