package dev.wharf.config;

import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.ProxyProtocol;
import dev.wharf.proto.config.v1.RealIp;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Rules for where a listener learns its clients' addresses: {@code proxy_protocol} (nginx {@code
 * listen ... proxy_protocol}) and {@code real_ip} (nginx {@code set_real_ip_from}, {@code
 * real_ip_header}, {@code real_ip_recursive}). Ranges are checked by {@link Cidr}, the parser the
 * data plane uses.
 */
final class ClientAddressRules {
  /** RFC 9110 5.1: a field name is a token. */
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private ClientAddressRules() {}

  static void check(String path, Listener listener, Problems problems) {
    if (listener.hasProxyProtocol()) {
      proxyProtocol(path + ".proxy_protocol", listener.getProxyProtocol(), problems);
    }
    if (listener.hasRealIp()) {
      realIp(path + ".real_ip", listener.getRealIp(), problems);
    }
  }

  private static void proxyProtocol(String path, ProxyProtocol p, Problems problems) {
    sources(
        path + ".trusted_sources",
        p.getTrustedSourcesList(),
        "the balancers allowed to send PROXY headers",
        problems);
  }

  private static void realIp(String path, RealIp r, Problems problems) {
    sources(
        path + ".trusted_sources",
        r.getTrustedSourcesList(),
        "the peers whose header is believed",
        problems);
    String header = r.getHeader();
    if (header.equalsIgnoreCase("proxy_protocol")) {
      problems.add(
          path + ".header",
          "the PROXY protocol address is taken with proxy_protocol.use_as_remote_addr,"
              + " not a header");
    } else if (!header.isEmpty() && !TOKEN.matcher(header).matches()) {
      problems.add(
          path + ".header", "'" + header + "' is not a header name (expected e.g. X-Real-IP)");
    }
  }

  private static void sources(String path, List<String> sources, String what, Problems problems) {
    if (sources.isEmpty()) {
      problems.add(path, "required: " + what + " (e.g. 10.0.0.0/8, 192.0.2.7, ::1/128)");
    }
    for (int i = 0; i < sources.size(); i++) {
      try {
        Cidr.parse(sources.get(i));
      } catch (IllegalArgumentException e) {
        problems.add(path + "[" + i + "]", e.getMessage());
      }
    }
  }
}
