package dev.wharf.controlplane.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.config.v1.Config;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Real gRPC clients of a replica, and what tests read out of the errors it answers with. */
final class AdminClients {
  static final Duration CALL_DEADLINE = Duration.ofSeconds(15);
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private AdminClients() {}

  static ManagedChannel plaintext(InetSocketAddress address) {
    return NettyChannelBuilder.forAddress(address).usePlaintext().build();
  }

  /** An Admin stub sending {@code token} (null: none), every call with its own deadline. */
  static AdminGrpc.AdminBlockingStub admin(Channel channel, String token) {
    return withToken(AdminGrpc.newBlockingStub(channel), token);
  }

  static <S extends AbstractStub<S>> S withToken(S stub, String token) {
    S out = stub.withInterceptors(new PerCallDeadline());
    if (token == null) {
      return out;
    }
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    return out.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** The error {@code call} fails with; fails the test if it succeeds or fails otherwise. */
  static StatusRuntimeException failure(Status.Code expected, Supplier<?> call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
    assertEquals(expected, e.getStatus().getCode(), e.getStatus().toString());
    return e;
  }

  /** The fields of the BadRequest detail, in order. */
  static List<String> violatedFields(StatusRuntimeException e) {
    return detail(e, BadRequest.class).getFieldViolationsList().stream()
        .map(BadRequest.FieldViolation::getField)
        .toList();
  }

  static <T extends com.google.protobuf.Message> T detail(StatusRuntimeException e, Class<T> type) {
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      throw new AssertionError("no google.rpc.Status details in " + e.getStatus());
    }
    try {
      for (com.google.protobuf.Any any : status.getDetailsList()) {
        if (any.is(type)) {
          return any.unpack(type);
        }
      }
    } catch (InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
    throw new AssertionError("no " + type.getSimpleName() + " in " + status);
  }

  static ErrorInfo errorInfo(StatusRuntimeException e) {
    return detail(e, ErrorInfo.class);
  }

  /** A valid document (throws if it is not). */
  static Config config(String yaml) {
    try {
      return ConfigDocuments.load(yaml, "test.yaml");
    } catch (dev.wharf.config.ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /** A document as written, not validated: for configs the server must refuse. */
  static Config unvalidated(String yaml) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test.yaml");
    assertEquals(List.of(), parsed.errors());
    return parsed.config();
  }

  static void close(ManagedChannel channel) throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Gives every call its own deadline, counted from when it starts. */
  private static final class PerCallDeadline implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return next.newCall(
          method, options.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    }
  }
}
