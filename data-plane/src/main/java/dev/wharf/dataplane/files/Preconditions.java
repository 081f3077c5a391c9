package dev.wharf.dataplane.files;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Date;
import java.util.List;

/**
 * Conditional requests on a file (RFC 9110 13.2.2), evaluated in the RFC's order: {@code If-Match},
 * else {@code If-Unmodified-Since} (412 when they fail); then {@code If-None-Match}, else {@code
 * If-Modified-Since} (304 when the client's copy is current). An {@code If-None-Match} present
 * makes {@code If-Modified-Since} ignored; a date that does not parse is ignored.
 */
final class Preconditions {
  /** What the conditions say about a GET or HEAD. */
  enum Outcome {
    PROCEED,
    NOT_MODIFIED,
    FAILED
  }

  private Preconditions() {}

  static Outcome evaluate(HttpHeaders headers, String etag, long modifiedSeconds) {
    String ifMatch = joined(headers, HttpHeaderNames.IF_MATCH);
    if (ifMatch != null) {
      if (!matches(ifMatch, etag, true)) {
        return Outcome.FAILED;
      }
    } else {
      Long since = seconds(headers.get(HttpHeaderNames.IF_UNMODIFIED_SINCE));
      if (since != null && modifiedSeconds > since) {
        return Outcome.FAILED;
      }
    }
    String ifNoneMatch = joined(headers, HttpHeaderNames.IF_NONE_MATCH);
    if (ifNoneMatch != null) {
      return matches(ifNoneMatch, etag, false) ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
    }
    Long since = seconds(headers.get(HttpHeaderNames.IF_MODIFIED_SINCE));
    return since != null && modifiedSeconds <= since ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
  }

  /**
   * Whether {@code list} ({@code *} or entity tags separated by commas) holds {@code etag}. Strong
   * comparison (If-Match, If-Range) needs both tags strong; weak comparison (If-None-Match) ignores
   * {@code W/}. A list that does not parse matches nothing.
   */
  static boolean matches(String list, String etag, boolean strong) {
    if (list.strip().equals("*")) {
      return true;
    }
    boolean ourWeak = etag.startsWith("W/");
    String opaque = ourWeak ? etag.substring(2) : etag;
    int i = 0;
    while (i < list.length()) {
      char c = list.charAt(i);
      if (c == ',' || c == ' ' || c == '\t') {
        i++;
        continue;
      }
      boolean weak = list.startsWith("W/", i);
      if (weak) {
        i += 2;
      }
      if (i >= list.length() || list.charAt(i) != '"') {
        return false;
      }
      int end = list.indexOf('"', i + 1);
      if (end < 0) {
        return false;
      }
      if (list.regionMatches(i, opaque, 0, opaque.length())
          && end + 1 - i == opaque.length()
          && (!strong || (!weak && !ourWeak))) {
        return true;
      }
      i = end + 1;
    }
    return false;
  }

  /** An HTTP date in whole seconds since the epoch, or null when absent or unreadable. */
  static Long seconds(String httpDate) {
    if (httpDate == null) {
      return null;
    }
    Date date = DateFormatter.parseHttpDate(httpDate);
    return date == null ? null : Math.floorDiv(date.getTime(), 1000L);
  }

  private static String joined(HttpHeaders headers, CharSequence name) {
    List<String> values = headers.getAll(name);
    return values.isEmpty() ? null : String.join(",", values);
  }
}
