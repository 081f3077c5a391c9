package dev.wharf.dataplane.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key manager of one group of certificates that serve the same names: RSA and ECDSA side by
 * side, the one the client supports chosen per handshake.
 *
 * <p>The JDK engine asks once per key type it can use, in its order of preference, and gets the
 * first certificate of that type. Netty's OpenSSL engine asks for one key type only (taken from the
 * cipher list, not from the client), so for it the choice is made here from the signature
 * algorithms the client's hello offers: an ECDSA certificate when the client accepts ECDSA
 * signatures, else an RSA one.
 */
final class KeyStores {
  private KeyStores() {}

  static X509ExtendedKeyManager keyManager(List<CertificateMaterial> materials) {
    Map<String, CertificateMaterial> byAlias = new LinkedHashMap<>();
    for (int i = 0; i < materials.size(); i++) {
      byAlias.put("cert-" + i, materials.get(i));
    }
    return new ByClientSupport(byAlias);
  }

  private static final class ByClientSupport extends X509ExtendedKeyManager {
    private final Map<String, CertificateMaterial> byAlias;

    ByClientSupport(Map<String, CertificateMaterial> byAlias) {
      this.byAlias = byAlias;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      if (engine instanceof ReferenceCountedOpenSslEngine) {
        boolean ecdsa = clientAcceptsEcdsa(engine.getHandshakeSession());
        String preferred = firstOfType(ecdsa ? "EC" : "RSA");
        return preferred != null ? preferred : byAlias.keySet().iterator().next();
      }
      return firstOfType(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return firstOfType(keyType);
    }

    private static boolean clientAcceptsEcdsa(SSLSession handshake) {
      if (!(handshake instanceof ExtendedSSLSession extended)) {
        return false;
      }
      for (String algorithm : extended.getPeerSupportedSignatureAlgorithms()) {
        if (algorithm.toUpperCase(Locale.ROOT).contains("ECDSA")) {
          return true;
        }
      }
      return false;
    }

    /** The first alias whose key is of {@code keyType} (RSA, RSASSA-PSS, EC, EC_EC...). */
    private String firstOfType(String keyType) {
      if (keyType == null) {
        return null;
      }
      String wanted = keyType.startsWith("EC") ? "EC" : "RSA";
      for (var e : byAlias.entrySet()) {
        String algorithm = e.getValue().key().getAlgorithm();
        if (algorithm.equals(wanted) || (wanted.equals("EC") && algorithm.equals("ECDSA"))) {
          return e.getKey();
        }
      }
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      CertificateMaterial m = byAlias.get(alias);
      return m == null ? null : m.chain().toArray(new X509Certificate[0]);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      CertificateMaterial m = byAlias.get(alias);
      return m == null ? null : m.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      List<String> out = new ArrayList<>();
      byAlias.keySet().stream().filter(a -> a.equals(firstOfType(keyType))).forEach(out::add);
      return out.isEmpty() ? null : out.toArray(new String[0]);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
