package dev.wharf.config;

import dev.wharf.proto.config.v1.UpstreamTls;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rules for {@code upstreams[i].tls}: what can be checked without reading the files (the node that
 * applies the config reads them and refuses it when it cannot).
 */
public final class UpstreamTlsRules {
  /** The protocol names accepted in {@code protocols}, as the JDK and OpenSSL spell them. */
  public static final List<String> PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

  private UpstreamTlsRules() {}

  static void check(String path, UpstreamTls tls, Problems problems) {
    boolean cert = !tls.getCertificateFile().isEmpty();
    boolean key = !tls.getKeyFile().isEmpty();
    if (cert && !key) {
      problems.add(path + ".key_file", "required with certificate_file (the client key, PEM)");
    } else if (key && !cert) {
      problems.add(
          path + ".certificate_file", "required with key_file (the client certificate, PEM)");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < tls.getProtocolsCount(); i++) {
      String p = tls.getProtocols(i);
      if (!PROTOCOLS.contains(p)) {
        problems.add(
            path + ".protocols[" + i + "]",
            "'" + p + "' is not supported (expected: TLSv1.2, TLSv1.3)");
      } else if (!seen.add(p)) {
        problems.add(path + ".protocols[" + i + "]", "'" + p + "' is listed twice");
      }
    }
    for (int i = 0; i < tls.getCiphersCount(); i++) {
      String c = tls.getCiphers(i);
      if (c.isEmpty() || !c.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f && ch != ':')) {
        problems.add(
            path + ".ciphers[" + i + "]",
            "'"
                + c
                + "' is not a cipher suite name (one name per entry, e.g. "
                + "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)");
      }
    }
    String name = tls.getServerName();
    if (!name.isEmpty() && !Addresses.isHostName(name) && !Addresses.isIpLiteral(name)) {
      problems.add(
          path + ".server_name",
          "'" + printable(name) + "' is not a host name (expected e.g. api.internal)");
    }
  }

  /** {@code text} with control characters shown as escapes, so a message stays one line. */
  private static String printable(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (char ch : text.toCharArray()) {
      switch (ch) {
        case '\r' -> b.append("\\r");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (ch < 0x20 || ch == 0x7f) {
            b.append(String.format("\\x%02x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.toString();
  }
}
