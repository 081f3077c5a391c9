package dev.wharf.config;

import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.AccessLog;
import dev.wharf.proto.config.v1.Compression;
import dev.wharf.proto.config.v1.Listener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Rules for {@code listeners[i]}. */
final class ListenerRules {
  private ListenerRules() {}

  static void check(List<Listener> listeners, Problems problems) {
    Map<String, Integer> bound = new HashMap<>();
    for (int i = 0; i < listeners.size(); i++) {
      Listener l = listeners.get(i);
      String path = "listeners[" + i + "]";
      problems.name(path + ".name", l.getName());
      if (!l.getAddress().isEmpty() && !Addresses.isIpLiteral(l.getAddress())) {
        problems.add(
            path + ".address",
            "'" + l.getAddress() + "' is not an IP address (expected e.g. 0.0.0.0, 127.0.0.1, ::)");
      }
      problems.range(path + ".port", l.getPort(), 1, 65535);
      String socket = (l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress()) + ":" + l.getPort();
      Integer other = bound.putIfAbsent(socket, i);
      if (other != null && l.getPort() != 0) {
        problems.add(path + ".port", socket + " is already used by listeners[" + other + "]");
      }
      problems.notNegative(
          path + ".client_header_timeout", l.hasClientHeaderTimeout(), l.getClientHeaderTimeout());
      problems.notNegative(
          path + ".client_body_timeout", l.hasClientBodyTimeout(), l.getClientBodyTimeout());
      problems.notNegative(
          path + ".keepalive_timeout", l.hasKeepaliveTimeout(), l.getKeepaliveTimeout());
      problems.notNegative(path + ".send_timeout", l.hasSendTimeout(), l.getSendTimeout());
      if (l.hasMaxRequestHeaderSize()) {
        problems.range(
            path + ".max_request_header_size",
            l.getMaxRequestHeaderSize().getBytes(),
            1024,
            1 << 20);
      }
      if (l.hasMaxUriLength()) {
        problems.range(path + ".max_uri_length", l.getMaxUriLength().getBytes(), 256, 1 << 20);
      }
      HeaderLineLimits.check(path, l, problems);
      Http2Rules.check(path, l, problems);
      HttpsRedirects.check(path, l, problems);
      if (l.hasAccessLog()) {
        accessLog(path + ".access_log", l.getAccessLog(), problems);
      }
      if (l.hasCompression()) {
        compression(path + ".compression", l.getCompression(), problems);
      }
      ClientAddressRules.check(path, l, problems);
      if (l.hasTls()) {
        ListenerTlsRules.check(path + ".tls", l.getTls(), problems);
      }
    }
  }

  private static void accessLog(String path, AccessLog log, Problems problems) {
    if (log.getPath().isEmpty()) {
      problems.add(path + ".path", "required (a file, or stdout)");
    }
    boolean json = log.getEncoding() == AccessLog.Encoding.JSON;
    if (json && !log.getFormat().isEmpty()) {
      problems.add(path + ".format", "only for encoding text (json logs list `fields`)");
    }
    if (!json && log.getFieldsCount() > 0) {
      problems.add(path + ".fields", "only for encoding json (text logs use `format`)");
    }
    if (!log.getFormat().isEmpty()) {
      problems.template(path + ".format", log.getFormat(), Phase.RESPONSE, -1);
    }
    for (int i = 0; i < log.getFieldsCount(); i++) {
      String field = log.getFields(i);
      if (Variables.phaseOf(field).isEmpty()) {
        problems.add(
            path + ".fields[" + i + "]",
            "unknown variable $"
                + field
                + (field.startsWith("$") ? " (write names without '$')" : ""));
      }
    }
  }

  /** Shared with routes, which may override a listener's compression. */
  static void compression(String path, Compression c, Problems problems) {
    problems.rangeOrUnset(path + ".level", c.getLevel(), 1, 9);
    for (int i = 0; i < c.getTypesCount(); i++) {
      String type = c.getTypes(i);
      if (!type.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+*-]+")) {
        problems.add(
            path + ".types[" + i + "]",
            "'" + type + "' is not a content type (expected e.g. text/css)");
      }
    }
  }
}
