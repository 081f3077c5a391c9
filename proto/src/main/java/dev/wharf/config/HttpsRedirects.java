package dev.wharf.config;

import dev.wharf.proto.config.v1.HttpsRedirect;
import dev.wharf.proto.config.v1.Listener;
import java.util.Set;

/**
 * {@code listeners[i].https_redirect}: every request on the listener is sent to the same host and
 * URI over HTTPS, as nginx's {@code return 301 https://$host$request_uri}. The data plane reads the
 * effective status and port here.
 */
public final class HttpsRedirects {
  /** The statuses nginx's {@code return} takes with a URL. */
  static final Set<Integer> STATUSES = Set.of(301, 302, 303, 307, 308);

  public static final int DEFAULT_STATUS = 301;
  public static final int DEFAULT_PORT = 443;

  private HttpsRedirects() {}

  public static int status(HttpsRedirect redirect) {
    return redirect.getStatus() == 0 ? DEFAULT_STATUS : redirect.getStatus();
  }

  public static int port(HttpsRedirect redirect) {
    return redirect.getPort() == 0 ? DEFAULT_PORT : redirect.getPort();
  }

  static void check(String path, Listener l, Problems problems) {
    if (!l.hasHttpsRedirect()) {
      return;
    }
    HttpsRedirect redirect = l.getHttpsRedirect();
    String at = path + ".https_redirect";
    if (redirect.getStatus() != 0 && !STATUSES.contains(redirect.getStatus())) {
      problems.add(at + ".status", redirect.getStatus() + " (expected: 301, 302, 303, 307 or 308)");
    }
    problems.rangeOrUnset(at + ".port", redirect.getPort(), 1, 65535);
    if (l.hasTls()) {
      problems.add(
          at,
          "not on a listener with tls: it would redirect HTTPS requests to themselves "
              + "(put https_redirect on the plain-HTTP listener)");
    }
  }
}
