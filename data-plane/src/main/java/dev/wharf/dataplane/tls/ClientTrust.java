package dev.wharf.dataplane.tls;

import dev.wharf.proto.config.v1.ClientVerification;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verification of client certificates against the listener's CA bundle, at most {@code depth}
 * certificates below a CA (nginx's ssl_verify_depth). In optional mode a certificate that does not
 * verify does not fail the handshake: the reason is kept in the session for {@code
 * $ssl_client_verify} ({@code FAILED:reason}) and the request goes on.
 */
final class ClientTrust {
  /** The session value holding the reason a client certificate failed, in optional mode. */
  static final String FAILURE = "wharf.client-verify-failure";

  private ClientTrust() {}

  static TrustManager load(ClientVerification v, boolean optional) throws TlsSetupException {
    Path file = Path.of(v.getCaFile());
    Collection<? extends java.security.cert.Certificate> cas;
    try (InputStream in = Files.newInputStream(file)) {
      cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new TlsSetupException(
          "client_verification.ca_file", file + " cannot be read: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new TlsSetupException(
          "client_verification.ca_file", file + " is not a PEM certificate bundle");
    }
    if (cas.isEmpty()) {
      throw new TlsSetupException("client_verification.ca_file", file + " holds no certificate");
    }
    int depth = v.getDepth() == 0 ? TlsDefaults.CLIENT_VERIFY_DEPTH : v.getDepth();
    try {
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      int i = 0;
      for (var ca : cas) {
        anchors.setCertificateEntry("ca-" + i++, ca);
      }
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, new X509CertSelector());
      params.setRevocationEnabled(false);
      // PKIX counts the certificates between the client's and the CA: nginx's depth minus one.
      params.setMaxPathLength(depth - 1);
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(new CertPathTrustManagerParameters(params));
      X509ExtendedTrustManager pkix = (X509ExtendedTrustManager) factory.getTrustManagers()[0];
      return optional ? new Recording(pkix) : pkix;
    } catch (GeneralSecurityException | IOException e) {
      throw new TlsSetupException(
          "client_verification.ca_file", file + " cannot be used: " + e.getMessage());
    }
  }

  /** Verifies as {@code delegate}, but records a failure in the handshake instead of failing. */
  private static final class Recording extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;

    Recording(X509ExtendedTrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      try {
        delegate.checkClientTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        SSLSession session = engine.getHandshakeSession();
        if (session != null) {
          session.putValue(FAILURE, reason(e));
        }
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }

  /** A short reason without line breaks, for a variable that may go into a header. */
  static String reason(Exception e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.replaceAll("[\\r\\n\\t]+", " ");
  }
}
