package dev.wharf.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 7.6.1): {@code
 * Connection} and every header it names, {@code Keep-Alive}, {@code Proxy-Connection}, {@code TE},
 * {@code Trailer}, {@code Upgrade} and {@code Transfer-Encoding}. The body framing is decided again
 * for the next hop, so a chunked message stays chunked and keeps no other coding.
 *
 * <p>{@link #strip} reads {@code Connection} once, and says what it found as bits: whether the
 * message was {@link #CHUNKED}, and whether its {@code Connection} named {@link #CLOSE} or {@link
 * #KEEP_ALIVE}, so that the caller can decide the connection's keep-alive ({@link #keepsAlive})
 * without looking the header up again (one lookup per response is measurable on a proxy's path).
 */
public final class HopByHop {
  /** The message had {@code Transfer-Encoding: chunked}; it still has, alone. */
  public static final int CHUNKED = 1;

  /** A {@code Connection} header named {@code close}. */
  public static final int CLOSE = 2;

  /** A {@code Connection} header named {@code keep-alive}. */
  public static final int KEEP_ALIVE = 4;

  private HopByHop() {}

  /**
   * Strips {@code message}'s hop-by-hop headers in place.
   *
   * @return {@link #CHUNKED}, {@link #CLOSE} and {@link #KEEP_ALIVE}, or-ed, as found
   */
  public static int strip(HttpMessage message) {
    HttpHeaders headers = message.headers();
    boolean chunked = HttpUtil.isTransferEncodingChunked(message);
    int found = chunked ? CHUNKED : 0;
    if (headers.contains(HttpHeaderNames.CONNECTION)) {
      found |= removeNamedBy(headers);
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
    return found;
  }

  /**
   * Whether the connection a message of {@code version} came on stays open after it, from what
   * {@link #strip} found: Netty's {@code HttpUtil.isKeepAlive}, without reading the headers again.
   */
  public static boolean keepsAlive(HttpVersion version, int found) {
    return (found & CLOSE) == 0 && (version.isKeepAliveDefault() || (found & KEEP_ALIVE) != 0);
  }

  /**
   * Removes the headers {@code Connection} names, and {@code Connection} itself; returns whether it
   * named {@code close} or {@code keep-alive}. Those two name no header (a {@code Keep-Alive}
   * header is removed anyway), so nearly every response of a kept-alive endpoint costs no string.
   */
  private static int removeNamedBy(HttpHeaders headers) {
    int found = 0;
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
        if (isToken(value, from, to, "keep-alive")) {
          found |= KEEP_ALIVE;
          continue;
        }
        if (isToken(value, from, to, "close")) {
          found |= CLOSE;
          continue;
        }
        // A client may not use Connection to strip the framing or the target of the message.
        if (from == to
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
    return found;
  }

  private static boolean isToken(String value, int from, int to, String token) {
    return to - from == token.length() && value.regionMatches(true, from, token, 0, to - from);
  }
}
