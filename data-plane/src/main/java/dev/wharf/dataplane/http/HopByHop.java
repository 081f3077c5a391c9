package dev.wharf.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 7.6.1): {@code
 * Connection} and every header it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE},
 * {@code Trailer}, {@code Upgrade} and {@code Transfer-Encoding}. The body framing is decided again
 * for the next hop, so a chunked message stays chunked and keeps no other coding.
 */
public final class HopByHop {
  private HopByHop() {}

  /** Strips {@code message}'s hop-by-hop headers in place; returns whether it was chunked. */
  public static boolean strip(HttpMessage message) {
    HttpHeaders headers = message.headers();
    boolean chunked = HttpUtil.isTransferEncodingChunked(message);
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      removeNamedBy(headers);
    }
    headers
        .remove(HttpHeaderNames.KEEP_ALIVE)
        .remove(HttpHeaderNames.PROXY_CONNECTION)
        .remove(HttpHeaderNames.TE)
        .remove(HttpHeaderNames.TRAILER)
        .remove(HttpHeaderNames.UPGRADE)
        .remove(HttpHeaderNames.TRANSFER_ENCODING);
    if (chunked) {
      HttpUtil.setTransferEncodingChunked(message, true);
    }
    return chunked;
  }

  /**
   * Removes the headers {@code Connection} names, and {@code Connection} itself. A {@code
   * keep-alive} token (nearly every response of a kept-alive endpoint) names a header {@link
   * #strip} removes anyway, so it costs no string.
   */
  private static void removeNamedBy(HttpHeaders headers) {
    List<String> named = null;
    Iterator<String> values = headers.valueStringIterator(HttpHeaderNames.CONNECTION);
    while (values.hasNext()) {
      String value = values.next();
      for (int start = 0; start <= value.length(); ) {
        int comma = value.indexOf(',', start);
        int end = comma < 0 ? value.length() : comma;
        int from = start;
        int to = end;
        while (from < to && value.charAt(from) <= ' ') {
          from++;
        }
        while (to > from && value.charAt(to - 1) <= ' ') {
          to--;
        }
        start = end + 1;
        // A client may not use Connection to strip the framing or the target of the message.
        if (from == to
            || isToken(value, from, to, "keep-alive")
            || isToken(value, from, to, "content-length")
            || isToken(value, from, to, "host")) {
          continue;
        }
        if (named == null) {
          named = new ArrayList<>(2);
        }
        named.add(value.substring(from, to));
      }
    }
    if (named != null) {
      named.forEach(headers::remove);
    }
    headers.remove(HttpHeaderNames.CONNECTION);
  }

  private static boolean isToken(String value, int from, int to, String token) {
    return to - from == token.length() && value.regionMatches(true, from, token, 0, to - from);
  }
}
