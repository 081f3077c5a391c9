package dev.wharf.controlplane.server;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The proto3 JSON mapping of the Admin API's messages (protobuf's {@link JsonFormat}: field names
 * in lowerCamelCase, 64-bit numbers as strings, enums by name), and gRPC statuses as HTTP statuses
 * with a {@code google.rpc.Status} JSON body.
 */
final class HttpJson {
  private static final TypeRegistry DETAILS =
      TypeRegistry.newBuilder()
          .add(BadRequest.getDescriptor())
          .add(ErrorInfo.getDescriptor())
          .build();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().usingTypeRegistry(DETAILS);

  /** Unknown fields are refused: a misspelt field must not be silently dropped from a write. */
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private HttpJson() {}

  static String print(Message message) {
    try {
      return PRINTER.print(message) + "\n";
    } catch (InvalidProtocolBufferException e) {
      // Only an Any of a type outside DETAILS gets here; the Admin API sends none.
      throw new IllegalStateException("cannot print " + message.getDescriptorForType(), e);
    }
  }

  /**
   * Merges a JSON body into {@code into}.
   *
   * @throws StatusRuntimeException INVALID_ARGUMENT naming what is wrong with the body
   */
  static void parse(byte[] body, Message.Builder into) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw invalidBody("not UTF-8");
    }
    if (text.isBlank()) {
      throw invalidBody("empty (expected a JSON " + into.getDescriptorForType().getName() + ")");
    }
    try {
      PARSER.merge(text, into);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // JsonFormat's messages name the field and the value; they never hold a stack trace.
      throw invalidBody(
          "not a JSON " + into.getDescriptorForType().getName() + ": " + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "malformed";
    }
    int nl = s.indexOf('\n');
    // Gson's messages may start with its exception's class name: a user needs only the words.
    String line =
        (nl < 0 ? s : s.substring(0, nl))
            .replaceAll("(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ", "");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  static StatusRuntimeException invalidBody(String why) {
    return invalid("body", why);
  }

  /** INVALID_ARGUMENT with one field violation, as the gRPC face reports a bad request field. */
  static StatusRuntimeException invalid(String field, String why) {
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.INVALID_ARGUMENT.value())
            .setMessage(field + ": " + why)
            .addDetails(
                com.google.protobuf.Any.pack(
                    BadRequest.newBuilder()
                        .addFieldViolations(
                            BadRequest.FieldViolation.newBuilder()
                                .setField(field)
                                .setDescription(why))
                        .build()))
            .build());
  }

  /** The {@code google.rpc.Status} of a failed call, with the details the service attached. */
  static com.google.rpc.Status statusOf(StatusRuntimeException e) {
    com.google.rpc.Status detailed = StatusProto.fromThrowable(e);
    if (detailed != null) {
      return detailed;
    }
    Status s = e.getStatus();
    return com.google.rpc.Status.newBuilder()
        .setCode(s.getCode().value())
        .setMessage(s.getDescription() == null ? s.getCode().name() : s.getDescription())
        .build();
  }

  /**
   * The HTTP status of a gRPC code. A stale version (FAILED_PRECONDITION) and ALREADY_EXISTS are
   * conflicts: 409.
   */
  static int httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
      case UNAUTHENTICATED -> 401;
      case PERMISSION_DENIED -> 403;
      case NOT_FOUND -> 404;
      case FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED -> 409;
      case RESOURCE_EXHAUSTED -> 413;
      case CANCELLED -> 499;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }

  /** The {@code version} of a response, for its ETag; -1 when it has none. */
  static long version(Message message) {
    FieldDescriptor f = message.getDescriptorForType().findFieldByName("version");
    if (f == null || f.getJavaType() != FieldDescriptor.JavaType.LONG) {
      return -1;
    }
    return (Long) message.getField(f);
  }
}
