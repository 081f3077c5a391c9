package dev.wharf.controlplane.store;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
      throw new StoreUnreachableException(
          what + " failed (etcd " + endpoints + "): " + reason(e), e);
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
          what + " failed (etcd " + endpoints + "): " + reason(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      call.cancel(false);
      throw new StoreException("interrupted while " + what + " (etcd " + endpoints + ")", e);
    }
  }

  /**
   * What went wrong, in words an operator reads: the gRPC status code and etcd's own reason, or the
   * refusal that kept the connection from opening. gRPC's descriptions can carry its load
   * balancer's debugging state (picks, attempts, exception class names); that stays in the log's
   * stack trace.
   */
  private String reason(Throwable failure) {
    Status status = Status.fromThrowable(failure);
    if (failure instanceof EtcdException etcd) {
      status =
          Status.fromCode(Status.Code.valueOf(etcd.getErrorCode().name()))
              .withDescription(etcd.getMessage());
    } else if (status.getCode() == Status.Code.UNKNOWN && status.getDescription() == null) {
      return firstClause(failure.getMessage());
    }
    return switch (status.getCode()) {
      case DEADLINE_EXCEEDED -> "no answer within " + timeout.toMillis() + " ms";
      case UNAVAILABLE -> "unavailable: " + firstClause(rootMessage(failure, status));
      default -> status.getCode() + ": " + firstClause(status.getDescription());
    };
  }

  private static String rootMessage(Throwable failure, Status status) {
    String deepest = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !(t instanceof StatusRuntimeException)) {
        deepest = t.getMessage();
      }
    }
    return deepest != null ? deepest : status.getDescription();
  }

  /** The text up to gRPC's bracketed debugging state, on one line, at most 200 characters. */
  static String firstClause(String text) {
    if (text == null || text.isBlank()) {
      return "no reason given";
    }
    String clause = text.strip();
    for (String end : List.of(" [", "\n", "\r", ". ")) {
      int at = clause.indexOf(end);
      if (at > 0) {
        clause = clause.substring(0, at);
      }
    }
    return clause.length() <= 200 ? clause : clause.substring(0, 200) + "...";
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
