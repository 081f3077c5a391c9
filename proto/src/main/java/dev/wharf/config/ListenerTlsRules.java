package dev.wharf.config;

import dev.wharf.proto.config.v1.Certificate;
import dev.wharf.proto.config.v1.ClientVerification;
import dev.wharf.proto.config.v1.ListenerTls;
import dev.wharf.proto.config.v1.TlsSessions;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rules for {@code listeners[i].tls}. What can be checked without the files: the files themselves
 * are read by each node at apply, which refuses the config (NACK) when it cannot use them.
 */
final class ListenerTlsRules {
  private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
  private static final Set<String> OUTDATED = Set.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.1");

  /** An OpenSSL or IANA cipher suite name: letters, digits, '-' and '_'. */
  private static final Pattern CIPHER = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** A server name, or a wildcard for one label: {@code *.example.com}. */
  private static final Pattern SERVER_NAME =
      Pattern.compile(
          "(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)*"
              + "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

  private ListenerTlsRules() {}

  static void check(String path, ListenerTls tls, Problems problems) {
    if (tls.getCertificatesCount() == 0) {
      problems.add(path + ".certificates", "at least one certificate is required");
    }
    for (int i = 0; i < tls.getCertificatesCount(); i++) {
      certificate(path + ".certificates[" + i + "]", tls.getCertificates(i), problems);
    }
    for (int i = 0; i < tls.getProtocolsCount(); i++) {
      String p = tls.getProtocols(i);
      if (OUTDATED.contains(p)) {
        problems.add(
            path + ".protocols[" + i + "]",
            p + " is refused: it is broken or deprecated (RFC 8996); use TLSv1.2 or TLSv1.3");
      } else if (!PROTOCOLS.contains(p)) {
        problems.add(path + ".protocols[" + i + "]", "'" + p + "' is not one of TLSv1.2, TLSv1.3");
      }
    }
    for (int i = 0; i < tls.getCiphersCount(); i++) {
      if (!CIPHER.matcher(tls.getCiphers(i)).matches()) {
        problems.add(
            path + ".ciphers[" + i + "]",
            "'"
                + tls.getCiphers(i)
                + "' is not a cipher suite name (one name per entry, e.g."
                + " ECDHE-RSA-AES128-GCM-SHA256)");
      }
    }
    if (tls.hasSessions()) {
      sessions(path + ".sessions", tls.getSessions(), problems);
    }
    if (tls.hasClientVerification()) {
      ClientVerification v = tls.getClientVerification();
      if (v.getCaFile().isEmpty()) {
        problems.add(
            path + ".client_verification.ca_file",
            "required (the CA bundle client certificates must chain to)");
      }
      problems.rangeOrUnset(path + ".client_verification.depth", v.getDepth(), 1, 10);
    }
    problems.positive(
        path + ".handshake_timeout", tls.hasHandshakeTimeout(), tls.getHandshakeTimeout());
    problems.rangeOrUnset(
        path + ".max_concurrent_handshakes", tls.getMaxConcurrentHandshakes(), 1, 1_000_000);
    if (tls.hasRecordSize()) {
      problems.range(path + ".record_size", tls.getRecordSize().getBytes(), 512, 16 * 1024);
    }
  }

  private static void certificate(String path, Certificate c, Problems problems) {
    boolean files = !c.getCertificateFile().isEmpty() || !c.getKeyFile().isEmpty();
    if (!c.getDirectory().isEmpty()) {
      if (files) {
        problems.add(
            path + ".directory",
            "either a directory (with tls.crt and tls.key) or certificate_file and key_file,"
                + " not both");
      }
    } else if (c.getCertificateFile().isEmpty()) {
      problems.add(path + ".certificate_file", "required (or a directory)");
    } else if (c.getKeyFile().isEmpty()) {
      problems.add(path + ".key_file", "required with certificate_file");
    }
    for (int i = 0; i < c.getServerNamesCount(); i++) {
      String name = c.getServerNames(i);
      if (!SERVER_NAME.matcher(name).matches()) {
        problems.add(
            path + ".server_names[" + i + "]",
            "'" + name + "' is not a server name (expected e.g. example.com or *.example.com)");
      }
    }
  }

  private static void sessions(String path, TlsSessions s, Problems problems) {
    if (s.hasCacheSize()) {
      problems.range(path + ".cache_size", s.getCacheSize(), 0, 10_000_000);
    }
    problems.positive(path + ".timeout", s.hasTimeout(), s.getTimeout());
    problems.positive(
        path + ".ticket_key_rotation", s.hasTicketKeyRotation(), s.getTicketKeyRotation());
    for (int i = 0; i < s.getTicketKeyFilesCount(); i++) {
      if (s.getTicketKeyFiles(i).isEmpty()) {
        problems.add(path + ".ticket_key_files[" + i + "]", "empty (a file of 80 bytes)");
      }
    }
  }
}
