package dev.wharf.dataplane.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpUtil;
import java.util.ArrayList;
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

  /** Removes the headers {@code Connection} names, and {@code Connection} itself. */
  private static void removeNamedBy(HttpHeaders headers) {
    List<String> named = new ArrayList<>();
    for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : value.split(",")) {
        String name = token.trim();
        // A client may not use Connection to strip the framing or the target of the message.
        if (!name.isEmpty()
            && !name.equalsIgnoreCase("content-length")
            && !name.equalsIgnoreCase("host")) {
          named.add(name);
        }
      }
    }
    named.forEach(headers::remove);
    headers.remove(HttpHeaderNames.CONNECTION);
  }
}
