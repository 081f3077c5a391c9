package dev.wharf.controlplane.server;

import io.grpc.StatusRuntimeException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP/JSON Admin request as the routes see it: the path's segments after {@code /v1/}
 * (decoded), the query, the {@code If-Match} header and the body (already size-checked).
 */
record AdminHttpRequest(
    List<String> segments, Map<String, String> query, String ifMatch, byte[] body) {
  private static final Pattern ETAG = Pattern.compile("(?:W/)?\"?([0-9]{1,20})\"?");

  AdminHttpRequest {
    segments = List.copyOf(segments);
    query = Map.copyOf(query);
  }

  /** {@code a=1&b=two}, decoded; a key given twice keeps its last value. */
  static Map<String, String> parseQuery(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      out.put(decode(key, "query"), decode(value, "query"));
    }
    return out;
  }

  /** Percent-decodes one path segment or query part; {@code +} stays a plus in paths. */
  static String decode(String raw, String where) {
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw HttpJson.invalid(where, "malformed percent-encoding in '" + abbreviate(raw) + "'");
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /**
   * The version a write expects: the {@code If-Match} ETag ({@code "42"}), else the {@code
   * expected_version} query parameter, else {@code otherwise} (what the body said, or 0).
   *
   * @throws StatusRuntimeException INVALID_ARGUMENT when both are given and differ, or one is not a
   *     version
   */
  long expectedVersion(long otherwise) {
    Long fromHeader = ifMatch == null ? null : version(ifMatch, "If-Match");
    String q = query.get("expected_version");
    Long fromQuery = q == null ? null : version(q, "expected_version");
    if (fromHeader != null && fromQuery != null && !fromHeader.equals(fromQuery)) {
      throw HttpJson.invalid(
          "If-Match", "names version " + fromHeader + ", expected_version " + fromQuery);
    }
    return fromHeader != null ? fromHeader : fromQuery != null ? fromQuery : otherwise;
  }

  /** {@code 42}, {@code "42"} or {@code W/"42"}: a version. */
  static long version(String raw, String field) {
    Matcher m = ETAG.matcher(raw.strip());
    if (!m.matches()) {
      throw HttpJson.invalid(
          field, "'" + abbreviate(raw) + "' is not a version (expected: an ETag like \"42\")");
    }
    try {
      return Long.parseUnsignedLong(m.group(1));
    } catch (NumberFormatException e) {
      throw HttpJson.invalid(field, "'" + abbreviate(raw) + "' is out of range");
    }
  }

  boolean flag(String name) {
    String v = query.get(name);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.isEmpty() || v.equals("true")) {
      return true;
    }
    throw HttpJson.invalid(name, "'" + abbreviate(v) + "' (expected: true or false)");
  }
}
