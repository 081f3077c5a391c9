package dev.wharf.dataplane.server;

import dev.wharf.dataplane.http.Responses;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Instant;
import java.util.Base64;

/**
 * The client's half of a WebSocket opening handshake (RFC 6455 4.1), checked before anything is
 * forwarded, so a broken handshake never reaches an endpoint.
 */
final class WebSocketHandshakes {
  private WebSocketHandshakes() {}

  /** The request asks to switch to WebSocket ({@code Upgrade: websocket}). */
  static boolean isUpgrade(HttpRequest request) {
    return request
        .headers()
        .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  /**
   * Why an upgrade request is refused: 400 for a malformed handshake, 426 for a protocol version
   * other than 13; null for a good handshake.
   */
  static HttpResponseStatus refusal(HttpRequest request) {
    if (!request.method().equals(HttpMethod.GET)
        || !request.protocolVersion().equals(HttpVersion.HTTP_1_1)
        || !request
            .headers()
            .containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        || !validKey(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY))) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    if (!"13".equals(request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      return HttpResponseStatus.UPGRADE_REQUIRED;
    }
    return null;
  }

  /**
   * The answer to a malformed handshake, or null for a good one. RFC 6455 4.4: a version refusal
   * says which version the server speaks.
   */
  static FullHttpResponse refuse(
      ByteBufAllocator alloc, HttpRequest request, boolean head, Instant now) {
    HttpResponseStatus status = refusal(request);
    if (status == null) {
      return null;
    }
    FullHttpResponse response = Responses.error(alloc, status, head, true, now);
    if (status.equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
      response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
    }
    return response;
  }

  /** The key must be 16 random bytes in base64. */
  private static boolean validKey(String key) {
    if (key == null) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key.trim()).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
