package dev.wharf.cli.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.DurationText;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Turns what an Admin server answered with into what the user reads and the exit code, as the
 * contract (admin.proto) describes its errors: stale writes carry ErrorInfo STALE_VERSION with the
 * current version, refused configs carry BadRequest field violations.
 */
final class StatusFailures {
  static final String STALE_VERSION = "STALE_VERSION";
  private static final Pattern NATIVE_CALL =
      Pattern.compile("^\\w+\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");

  private StatusFailures() {}

  /**
   * The failure for a status other than "unreachable". {@code readVersion} is the version a write
   * was based on, when it was one.
   */
  static Failure of(
      String server,
      StatusRuntimeException e,
      OptionalLong readVersion,
      Connection connection,
      Duration deadline) {
    Status status = e.getStatus();
    String multiLine = description(status);
    String description = String.join("; ", multiLine.lines().map(String::strip).toList());
    return switch (status.getCode()) {
      case FAILED_PRECONDITION, ABORTED -> conflict(e, readVersion, description);
      case INVALID_ARGUMENT -> invalid(e, multiLine);
      case NOT_FOUND, ALREADY_EXISTS, OUT_OF_RANGE ->
          Failure.invalidInput(description.isEmpty() ? status.getCode().toString() : description);
      case UNAUTHENTICATED ->
          Failure.of(
              ExitCode.UNREACHABLE,
              server
                  + " did not accept the credentials"
                  + inParentheses(description)
                  + "; "
                  + (connection.token().isPresent()
                      ? "check the token (from " + connection.tokenFrom() + ")"
                      : "no token was sent: give one with --token-file, --token, WHARF_TOKEN or the "
                          + "context's token-file"));
      case PERMISSION_DENIED ->
          Failure.of(
              ExitCode.UNREACHABLE,
              server
                  + " refused: permission "
                  + "denied"
                  + (description.isEmpty()
                      ? "; changes need a token with the admin role"
                      : ": " + description)
                  + (connection.token().isPresent()
                      ? " (token from " + connection.tokenFrom() + ")"
                      : ""));
      case DEADLINE_EXCEEDED ->
          Failure.of(
              ExitCode.UNREACHABLE,
              server
                  + " did not answer within "
                  + DurationText.of(deadline)
                  + "; check that the control plane is healthy, or give a "
                  + "longer --timeout");
      case UNIMPLEMENTED ->
          Failure.of(
              ExitCode.UNREACHABLE,
              server
                  + " does not serve the Admin "
                  + "API ("
                  + describe(e)
                  + "); check that "
                  + connection.serversFrom()
                  + " names a control plane's gRPC address");
      default -> Failure.invalidInput(server + ": " + describe(e));
    };
  }

  /** Every server was unreachable: exit 3, each server with what went wrong. */
  static Failure unreachable(List<String> attempts, Connection connection) {
    List<String> details = new ArrayList<>();
    attempts.forEach(a -> details.add("  " + a));
    details.add(
        "check the address (from "
            + connection.serversFrom()
            + ")"
            + (connection.tlsCa().isPresent() ? ", the TLS CA (--tls-ca)" : "")
            + " and that the control plane is running");
    String what =
        attempts.size() == 1
            ? "cannot reach the Admin API:"
            : "cannot reach the Admin API on any of " + attempts.size() + " servers:";
    return Failure.of(ExitCode.UNREACHABLE, what, details);
  }

  /** {@code CODE: description (cause)}: for an attempt that failed. */
  static String describe(StatusRuntimeException e) {
    Status status = e.getStatus();
    String first = description(status).lines().findFirst().orElse("");
    String text = status.getCode() + (first.isEmpty() ? "" : ": " + first);
    Throwable cause = status.getCause();
    if (cause != null && cause.getMessage() != null && !text.contains(cause.getMessage())) {
      // Netty's native transport says "finishConnect(..) failed with error(-111): Connection
      // refused: /10.0.0.1:9700"; the part after the syscall is what the user needs.
      text += " (" + NATIVE_CALL.matcher(cause.getMessage()).replaceFirst("") + ")";
    }
    return text;
  }

  /**
   * The field violations, one per line; without any, the description's own lines (a server may put
   * the validator's whole report there).
   */
  private static Failure invalid(StatusRuntimeException e, String description) {
    List<String> violations = fieldViolations(e);
    List<String> lines = description.lines().toList();
    String first = lines.isEmpty() ? "the request was refused as invalid" : lines.get(0);
    // The control plane lists each error in its message too, naming the object it is in
    // (route api: routes[3].proxy.upstream: ...), which the field violations cannot carry.
    boolean messageListsThem = lines.size() - 1 == violations.size();
    if (!violations.isEmpty() && !messageListsThem || lines.size() < 2) {
      return Failure.of(ExitCode.INVALID_INPUT, first, violations);
    }
    return Failure.of(
        ExitCode.INVALID_INPUT,
        first,
        lines.subList(1, lines.size()).stream().map(l -> "  " + l.strip()).toList());
  }

  private static Failure conflict(
      StatusRuntimeException e, OptionalLong readVersion, String description) {
    Optional<ErrorInfo> info =
        detail(e, ErrorInfo.class).filter(i -> i.getReason().equals(STALE_VERSION));
    if (info.isEmpty()) {
      return Failure.of(
          ExitCode.CONFLICT,
          description.isEmpty()
              ? "the control plane refused the change as conflicting"
              : description);
    }
    String current = info.get().getMetadataOrDefault("current_version", "");
    String versions;
    if (readVersion.isPresent() && !current.isEmpty()) {
      versions = " (you read version " + readVersion.getAsLong() + ", it is now " + current + ")";
    } else if (!current.isEmpty()) {
      versions = " (it is now version " + current + ")";
    } else {
      versions =
          readVersion.isPresent() ? " (you read version " + readVersion.getAsLong() + ")" : "";
    }
    return Failure.of(
        ExitCode.CONFLICT,
        "the config changed since it was read" + versions + "; run the command again");
  }

  private static List<String> fieldViolations(StatusRuntimeException e) {
    List<String> lines = new ArrayList<>();
    detail(e, BadRequest.class)
        .ifPresent(
            b ->
                b.getFieldViolationsList()
                    .forEach(
                        v ->
                            lines.add(
                                "  "
                                    + (v.getField().isEmpty() ? "(document)" : v.getField())
                                    + ": "
                                    + v.getDescription())));
    return lines;
  }

  private static <T extends com.google.protobuf.Message> Optional<T> detail(
      StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return Optional.empty();
    }
    for (Any any : status.getDetailsList()) {
      if (any.is(type)) {
        try {
          return Optional.of(any.unpack(type));
        } catch (InvalidProtocolBufferException ignored) {
          return Optional.empty(); // a detail we cannot read is as good as none
        }
      }
    }
    return Optional.empty();
  }

  private static String inParentheses(String text) {
    return text.isEmpty() ? "" : " (" + text + ")";
  }

  private static String description(Status status) {
    return status.getDescription() == null ? "" : status.getDescription().strip();
  }
}
