package dev.wharf.controlplane.server;

import dev.wharf.controlplane.admin.Caller;
import dev.wharf.controlplane.admin.Role;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.inprocess.AnonymousInProcessSocketAddress;
import io.grpc.inprocess.InProcessSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Establishes who makes each call and whether their role allows the method, before any service code
 * runs; the {@link Caller} is attached to the call's context for the service.
 *
 * <ul>
 *   <li>In-process calls (standalone's own node) come from this JVM: {@link Caller#IN_PROCESS}.
 *   <li>Without tokens and without a client CA (the default) only loopback callers are served, each
 *       as {@link Caller#LOCAL}; the replica refuses to listen anywhere else.
 *   <li>Otherwise an {@code authorization: Bearer <token>} header must name a known token, or,
 *       without the header, the TLS session must carry a client certificate the CA verified.
 * </ul>
 *
 * Missing or unknown credentials: UNAUTHENTICATED. A role the method does not allow (a viewer
 * writing, a node token on the Admin API): PERMISSION_DENIED naming the role needed.
 */
final class Authenticator implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String SCHEME = "Bearer ";

  private final AccessTokens tokens;
  private final ClientCertificates certificates;

  /** Either may be null; both null is the loopback-only default. */
  Authenticator(AccessTokens tokens, ClientCertificates certificates) {
    this.tokens = tokens;
    this.certificates = certificates;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Caller caller;
    try {
      caller =
          authenticate(
              call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
              headers.get(AUTHORIZATION),
              () -> clientCertificate(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)),
              call.getMethodDescriptor().getFullMethodName());
    } catch (StatusException e) {
      return refuse(call, e.getStatus());
    }
    return Contexts.interceptCall(caller.attachTo(Context.current()), call, headers, next);
  }

  /**
   * Who calls {@code method}, by the same rules whichever face of the replica (gRPC, HTTP/JSON) the
   * call came through.
   *
   * @param authorization the {@code authorization} header, or null
   * @param certificate the verified client certificate of the TLS session, if any; asked for only
   *     when client certificates are configured and no authorization header came
   * @throws StatusException UNAUTHENTICATED or PERMISSION_DENIED, with the reason
   */
  Caller authenticate(
      SocketAddress remote,
      String authorization,
      Supplier<Optional<X509Certificate>> certificate,
      String method)
      throws StatusException {
    Caller caller;
    try {
      caller = identify(remote, authorization, certificate);
    } catch (Refusal r) {
      throw r.status.asException();
    }
    Set<Role> allowed = Permissions.allowed(method);
    if (!allowed.contains(caller.role())) {
      throw Status.PERMISSION_DENIED
          .withDescription(
              method
                  + " needs "
                  + Permissions.describe(allowed)
                  + "; "
                  + caller.principal()
                  + " has the "
                  + caller.role().spelling()
                  + " role")
          .asException();
    }
    return caller;
  }

  private Caller identify(
      SocketAddress remote,
      String authorization,
      Supplier<Optional<X509Certificate>> clientCertificate)
      throws Refusal {
    if (remote instanceof InProcessSocketAddress
        || remote instanceof AnonymousInProcessSocketAddress) {
      return Caller.IN_PROCESS;
    }
    if (tokens == null && certificates == null) {
      if (remote instanceof InetSocketAddress a
          && a.getAddress() != null
          && a.getAddress().isLoopbackAddress()) {
        return Caller.LOCAL;
      }
      throw new Refusal(
          Status.UNAUTHENTICATED.withDescription(
              "this replica has no tokens or client CA configured and serves loopback callers only"));
    }
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
        throw unauthenticated("the authorization header is not 'Bearer <token>'");
      }
      Caller caller =
          tokens == null ? null : tokens.find(authorization.substring(SCHEME.length()).strip());
      if (caller == null) {
        throw unauthenticated("unknown bearer token");
      }
      return caller;
    }
    Optional<X509Certificate> certificate =
        certificates == null ? Optional.empty() : clientCertificate.get();
    if (certificate.isPresent()) {
      X509Certificate c = certificate.get();
      return certificates
          .caller(c)
          .orElseThrow(
              () ->
                  new Refusal(
                      Status.PERMISSION_DENIED.withDescription(
                          "client certificate '"
                              + ClientCertificates.principal(c)
                              + "' has no role: issue it with OU=viewer or OU=admin, or name it in --tls-roles")));
    }
    throw unauthenticated(
        certificates == null
            ? "missing bearer token (authorization: Bearer <token>)"
            : "missing credentials: a bearer token (authorization: Bearer <token>) or a client "
                + "certificate");
  }

  /** The verified client certificate of {@code session}, when one came. */
  static Optional<X509Certificate> clientCertificate(SSLSession session) {
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x
          ? Optional.of(x)
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty(); // the client sent none
    }
  }

  private static Refusal unauthenticated(String why) {
    return new Refusal(Status.UNAUTHENTICATED.withDescription(why));
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** Why a call is refused; thrown inside {@link #identify} only. */
  private static final class Refusal extends Exception {
    final transient Status status;

    Refusal(Status status) {
      super(status.getDescription(), null, false, false);
      this.status = status;
    }
  }
}
