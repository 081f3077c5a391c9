package dev.wharf.dataplane.upstream;

import dev.wharf.dataplane.tls.UpstreamTlsClient;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.concurrent.Promise;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS handshake of a new connection to an endpoint, between the TCP connect and the first
 * request: the connection is handed out only once it succeeded. A failure is a failed connect (the
 * next endpoint is tried as after a refused connect), logged with its reason; a handshake that
 * outlasts the connect timeout fails as a connect timeout.
 */
final class UpstreamHandshake {
  private static final Logger log = LoggerFactory.getLogger(UpstreamHandshake.class);

  private UpstreamHandshake() {}

  static void await(
      SslHandler handler, UpstreamConnection connection, Promise<UpstreamConnection> promise) {
    UpstreamEndpoint endpoint = connection.endpoint();
    UpstreamTlsClient tls = endpoint.tls();
    handler
        .handshakeFuture()
        .addListener(
            h -> {
              if (h.isSuccess()) {
                tls.handshakeDone(handler);
                promise.setSuccess(connection);
                return;
              }
              Throwable cause = h.cause();
              log.warn(
                  "upstream {} endpoint {}: TLS handshake failed ({}): {}",
                  endpoint.upstream(),
                  endpoint.address(),
                  reason(cause, tls.peerName(endpoint.host())),
                  messages(cause));
              connection.channel().close();
              promise.setFailure(
                  cause instanceof SslHandshakeTimeoutException
                      ? new ConnectTimeoutException("TLS handshake timed out")
                      : cause);
            });
  }

  /** The messages of {@code cause} and its causes, outermost first, each once. */
  static String messages(Throwable cause) {
    StringBuilder b = new StringBuilder();
    String last = null;
    for (Throwable t = cause; t != null && t.getCause() != t; t = t.getCause()) {
      String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (!m.equals(last)) {
        b.append(b.length() == 0 ? "" : ": ").append(m);
      }
      last = m;
    }
    return b.toString();
  }

  /** What went wrong, in the words an operator searches for. */
  static String reason(Throwable cause, String peerName) {
    if (cause instanceof SslHandshakeTimeoutException) {
      return "timed out";
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage());
      if (m.contains("No subject alternative") || m.contains("No name matching")) {
        return "name mismatch: the certificate is not for " + peerName;
      }
      if (t instanceof CertPathValidatorException
          || t.getClass().getName().endsWith("SunCertPathBuilderException")) {
        return "certificate verify failed";
      }
      if (t instanceof CertificateException) {
        return "certificate verify failed";
      }
    }
    if (cause instanceof SSLHandshakeException) {
      return "protocol";
    }
    return "connection closed during the handshake";
  }
}
