package dev.wharf.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The reason a failed upstream handshake is logged with, from the exceptions engines throw. */
class UpstreamHandshakeTest {
  private static SSLHandshakeException wrapping(Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException("General OpenSslEngine problem");
    e.initCause(cause);
    return e;
  }

  @Test
  void namesTheCommonFailures() {
    assertEquals(
        "name mismatch: the certificate is not for api.internal",
        UpstreamHandshake.reason(
            wrapping(new CertificateException("No name matching api.internal found")),
            "api.internal"));
    assertEquals(
        "name mismatch: the certificate is not for api.internal",
        UpstreamHandshake.reason(
            wrapping(new CertificateException("No subject alternative DNS name matching x")),
            "api.internal"));
    assertEquals(
        "certificate verify failed",
        UpstreamHandshake.reason(
            wrapping(new CertificateException(new CertPathValidatorException("expired"))), "a"));
    assertEquals(
        "protocol",
        UpstreamHandshake.reason(new SSLHandshakeException("Received fatal alert: protocol"), "a"));
    assertEquals(
        "timed out",
        UpstreamHandshake.reason(new SslHandshakeTimeoutException("handshake timed out"), "a"));
    assertEquals(
        "connection closed during the handshake",
        UpstreamHandshake.reason(new java.nio.channels.ClosedChannelException(), "a"));
  }

  @Test
  void logsEveryMessageOfTheChainOnce() {
    assertEquals(
        "General OpenSslEngine problem: bad",
        UpstreamHandshake.messages(
            wrapping(new CertificateException("bad", new Exception("bad")))));
  }
}
