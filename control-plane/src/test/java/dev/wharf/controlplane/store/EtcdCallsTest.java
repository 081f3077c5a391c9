package dev.wharf.controlplane.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What an operator reads when etcd fails a call: the reason, without gRPC's debugging state. */
class EtcdCallsTest {
  private static final URI ETCD = URI.create("http://127.0.0.1:42957");
  private final EtcdCalls calls = new EtcdCalls(List.of(ETCD), Duration.ofSeconds(1));

  private String failureOf(Throwable failure) {
    StoreException e =
        assertThrows(
            StoreUnreachableException.class,
            () -> calls.await(() -> CompletableFuture.failedFuture(failure), "reading /w/"));
    return e.getMessage();
  }

  @Test
  void aDeadlineWithTheBalancersPickStateSaysOnlyThatNoAnswerCame() {
    // The shape a CI run saw with the only member stopped: gRPC appends its pick state, exception
    // class names included.
    String description =
        "CallOptions deadline exceeded after 0.999984347s. Name resolution delay 0.000000000"
            + " seconds. [closed=[], open=[[wait_for_ready, Last Pick Failure=Status{code="
            + "UNAVAILABLE, description=io exception, cause=io.netty.channel.AbstractChannel"
            + "$AnnotatedConnectException: Connection refused: /127.0.0.1:42957}]]]";
    assertEquals(
        "reading /w/ failed (etcd [http://127.0.0.1:42957]): no answer within 1000 ms",
        failureOf(Status.DEADLINE_EXCEEDED.withDescription(description).asRuntimeException()));
  }

  @Test
  void aRefusedConnectionIsNamedWithTheAddress() {
    ConnectException refused = new ConnectException("Connection refused: /127.0.0.1:42957");
    assertEquals(
        "reading /w/ failed (etcd [http://127.0.0.1:42957]): unavailable: Connection refused:"
            + " /127.0.0.1:42957",
        failureOf(
            Status.UNAVAILABLE
                .withDescription("io exception")
                .withCause(refused)
                .asRuntimeException()));
  }

  @Test
  void etcdsOwnReasonIsKeptWithItsCode() {
    assertEquals(
        "reading /w/ failed (etcd [http://127.0.0.1:42957]): RESOURCE_EXHAUSTED: etcdserver:"
            + " mvcc: database space exceeded",
        failureOf(
            EtcdExceptionFactory.toEtcdException(
                Status.RESOURCE_EXHAUSTED.withDescription(
                    "etcdserver: mvcc: database space exceeded"))));
  }

  @Test
  void aCallThatCannotStartIsDescribedWithoutItsClassName() {
    StoreException e =
        assertThrows(
            StoreUnreachableException.class,
            () ->
                calls.await(
                    () -> {
                      throw EtcdExceptionFactory.newClosedWatchClientException();
                    },
                    "reading /w/"));
    assertEquals(false, e.getMessage().contains("Exception"), e.getMessage());
  }
}
