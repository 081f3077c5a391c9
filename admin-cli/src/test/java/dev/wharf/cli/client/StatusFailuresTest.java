package dev.wharf.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.wharf.cli.exit.Failure;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Answers a server may give that the in-process Admin service cannot be made to give (a proxy in
 * front of it, an older replica): what the user reads, the exit code.
 */
class StatusFailuresTest {
  private static final Connection NO_TOKEN =
      new Connection(List.of("cp-1:9700"), "--server", Optional.empty(), "none", Optional.empty());

  @Test
  void aStaleWriteWithoutTheCurrentVersionStillSaysWhatWasRead() {
    Failure f =
        of(
            StatusProto.toStatusRuntimeException(
                com.google.rpc.Status.newBuilder()
                    .setCode(Code.FAILED_PRECONDITION_VALUE)
                    .setMessage("stale")
                    .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("STALE_VERSION").build()))
                    .build()),
            OptionalLong.of(5));

    assertEquals(2, f.exitCode());
    assertEquals(
        List.of(
            "error: the config changed since it was read (you read version 5); run "
                + "the command again"),
        f.lines());
  }

  @Test
  void anotherFailedPreconditionIsAConflictInTheServersWords() {
    Failure f =
        of(
            Status.FAILED_PRECONDITION
                .withDescription("a rollback is in progress")
                .asRuntimeException(),
            OptionalLong.of(5));

    assertEquals(2, f.exitCode());
    assertEquals(List.of("error: a rollback is in progress"), f.lines());
  }

  @Test
  void anInvalidArgumentWithoutFieldViolationsShowsEachLineOfItsDescription() {
    Failure f =
        of(
            Status.INVALID_ARGUMENT
                .withDescription(
                    "2 errors in config\n  routes[0].name: required\n  routes[1].name: required")
                .asRuntimeException(),
            OptionalLong.empty());

    assertEquals(1, f.exitCode());
    assertEquals(
        List.of(
            "error: 2 errors in config",
            "  routes[0].name: required",
            "  routes[1].name: required"),
        f.lines());
  }

  @Test
  void somethingThatIsNotAnAdminApiIsExitThreeWithTheFirstLineOfWhatItSaid() {
    Failure f =
        of(
            Status.UNIMPLEMENTED
                .withDescription("HTTP status code 404\ninvalid content-type: text/html")
                .asRuntimeException(),
            OptionalLong.empty());

    assertEquals(3, f.exitCode());
    assertEquals(
        List.of(
            "error: cp-1:9700 does not serve the Admin API (UNIMPLEMENTED: HTTP "
                + "status code 404); check that --server names a control plane's gRPC address"),
        f.lines());
  }

  @Test
  void permissionDeniedWithoutATokenSaysWhatIsNeeded() {
    Failure f = of(Status.PERMISSION_DENIED.asRuntimeException(), OptionalLong.empty());

    assertEquals(3, f.exitCode());
    assertEquals(
        List.of(
            "error: cp-1:9700 refused: permission denied; changes need a token with "
                + "the admin role"),
        f.lines());
  }

  @Test
  void anyOtherErrorIsExitOneNamingTheServerAndTheCode() {
    Failure f =
        of(
            Status.INTERNAL.withDescription("store: boom").asRuntimeException(),
            OptionalLong.empty());

    assertEquals(1, f.exitCode());
    assertEquals(List.of("error: cp-1:9700: INTERNAL: store: boom"), f.lines());
  }

  private static Failure of(StatusRuntimeException e, OptionalLong read) {
    return StatusFailures.of("cp-1:9700", e, read, NO_TOKEN, Duration.ofSeconds(10));
  }
}
