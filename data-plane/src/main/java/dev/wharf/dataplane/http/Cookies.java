package dev.wharf.dataplane.http;

import java.util.List;

/** Finds one cookie's value in Cookie headers, as nginx's {@code $cookie_NAME} does. */
final class Cookies {
  private Cookies() {}

  static String value(List<String> cookieHeaders, String name) {
    for (String header : cookieHeaders) {
      for (String pair : header.split(";")) {
        String p = pair.strip();
        int eq = p.indexOf('=');
        if (eq > 0 && p.substring(0, eq).equalsIgnoreCase(name)) {
          return p.substring(eq + 1);
        }
      }
    }
    return "";
  }
}
