package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.http.HopByHop;
import dev.wharf.dataplane.http.Responses;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Turns an endpoint's response head into the one the client gets, in place: hop-by-hop headers
 * gone, the body framed for the client's HTTP version, the node's own {@code Server} and {@code
 * Date} (as nginx does), and the client connection's keep-alive decision.
 */
final class ClientResponseHeads {
  private ClientResponseHeads() {}

  /**
   * Rewrites the framing and connection headers of {@code response}, whose hop-by-hop headers
   * {@link HopByHop#strip} has removed.
   *
   * @param stripped what {@link HopByHop#strip} found in {@code response}
   * @param keepAlive whether the client connection may stay open, as far as the exchange knows
   * @param nowMillis the wall clock's time, for {@code Date}
   * @return the keep-alive decision after framing: false when the body can only end with the
   *     connection (an HTTP/1.0 client and a body of unknown length)
   */
  static boolean prepare(
      HttpResponse response, int stripped, HttpRequest request, boolean keepAlive, long nowMillis) {
    boolean chunked = (stripped & HopByHop.CHUNKED) != 0;
    boolean bodyless =
        request.method().equals(HttpMethod.HEAD)
            || response.status().code() == 204
            || response.status().code() == 304;
    boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    if (!bodyless && !response.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      if (http10) {
        // HTTP/1.0 knows no chunked coding: the body ends when the connection does.
        HttpUtil.setTransferEncodingChunked(response, false);
        keepAlive = false;
      } else if (!chunked) {
        // The endpoint ends its body by closing; chunk it so client keep-alive survives.
        HttpUtil.setTransferEncodingChunked(response, true);
      }
    }
    response
        .headers()
        .set(HttpHeaderNames.SERVER, Responses.SERVER)
        .set(HttpHeaderNames.DATE, Responses.httpDate(nowMillis));
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (http10) {
      HttpUtil.setKeepAlive(response, keepAlive);
    } else if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return keepAlive;
  }
}
