package dev.wharf.controlplane.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/**
 * Refuses calls that do not carry one of the configured tokens as
 * {@code authorization: Bearer <token>}, with UNAUTHENTICATED. Tokens are compared in constant
 * time.
 */
public final class BearerTokens implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String SCHEME = "Bearer ";

  private final List<byte[]> tokens;

  private BearerTokens(List<String> tokens) {
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("no tokens given");
    }
    this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  public static BearerTokens of(List<String> tokens) {
    return new BearerTokens(List.copyOf(tokens));
  }

  /** One token per line; blank lines and lines starting with '#' are skipped. */
  public static BearerTokens fromFile(Path file) throws IOException {
    List<String> tokens = Files.readAllLines(file).stream()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();
    if (tokens.isEmpty()) {
      throw new IOException(file + " holds no token");
    }
    return new BearerTokens(tokens);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String value = headers.get(AUTHORIZATION);
    if (value == null || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return refuse(call, "missing bearer token (authorization: Bearer <token>)");
    }
    byte[] presented = value.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8);
    boolean known = false;
    for (byte[] token : tokens) {
      known |= MessageDigest.isEqual(token, presented);
    }
    return known ? next.startCall(call, headers) : refuse(call, "unknown bearer token");
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String why) {
    call.close(Status.UNAUTHENTICATED.withDescription(why), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
