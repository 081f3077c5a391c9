package dev.wharf.cli.nginx;

import dev.wharf.proto.config.v1.HttpsRedirect;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server-level {@code return} of the usual port-80 server that only sends clients to HTTPS:
 * {@code return 301 https://$host$request_uri;} (or {@code $server_name}, another redirect status,
 * a port). Such a server can be the listener's {@code https_redirect}.
 */
final class HttpsRedirects {
  private static final Set<Integer> STATUSES = Set.of(301, 302, 303, 307, 308);
  private static final Pattern URL =
      Pattern.compile("https://\\$(host|server_name)(?::(\\d{1,5}))?\\$request_uri");

  private HttpsRedirects() {}

  /** The redirect {@code ret} makes, when it is one an https_redirect listener makes alike. */
  static Optional<HttpsRedirect> of(Directive ret) {
    int status;
    String url;
    if (ret.args().size() == 1) {
      status = 302;
      url = ret.arg(0);
    } else if (ret.args().size() == 2) {
      Optional<Integer> code = Values.number(ret.arg(0), 100, 999);
      if (code.isEmpty() || !STATUSES.contains(code.get())) {
        return Optional.empty();
      }
      status = code.get();
      url = ret.arg(1);
    } else {
      return Optional.empty();
    }
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      return Optional.empty();
    }
    HttpsRedirect.Builder out = HttpsRedirect.newBuilder().setStatus(status);
    if (m.group(2) != null) {
      Optional<Integer> port = Values.number(m.group(2), 1, 65535);
      if (port.isEmpty()) {
        return Optional.empty();
      }
      if (port.get() != 443) {
        out.setPort(port.get());
      }
    }
    return Optional.of(out.build());
  }

  /** True when the URL names {@code $server_name}, which Wharf's redirect does not use. */
  static boolean usesServerName(Directive ret) {
    return ret.args().get(ret.args().size() - 1).contains("$server_name");
  }
}
