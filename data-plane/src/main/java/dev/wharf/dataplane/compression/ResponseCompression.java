package dev.wharf.dataplane.compression;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;

/**
 * What may happen to the response of one request: the route's settings and what the client accepts,
 * fixed when the request is routed, applied to the response head by {@link #decide}. The static
 * file server asks the same question before it picks how to send a file, so both always agree.
 */
public final class ResponseCompression {
  /** What to do with one response. */
  public enum Decision {
    /** Send it as it is. */
    KEEP,
    /**
     * Send it as it is, with {@code Vary: Accept-Encoding}: another client could get it compressed.
     */
    VARY,
    /** Compress it (and add {@code Vary: Accept-Encoding}). */
    COMPRESS
  }

  /** Never compresses and adds nothing: routes without compression, responses before routing. */
  public static final ResponseCompression OFF =
      new ResponseCompression(CompressionSettings.OFF, null, false, false);

  private final CompressionSettings settings;
  private final ContentCoding coding;
  private final boolean head;
  private final boolean http10;

  /**
   * @param coding what the client accepts, null when nothing (or it came through a proxy and the
   *     settings do not compress for those)
   * @param head the request is a HEAD: its response has no body to compress
   * @param http10 the client speaks HTTP/1.0: a compressed stream ends with the connection
   */
  ResponseCompression(
      CompressionSettings settings, ContentCoding coding, boolean head, boolean http10) {
    this.settings = settings;
    this.coding = coding;
    this.head = head;
    this.http10 = http10;
  }

  /**
   * Decides from the response head. Never compressed: interim responses, 204, 206, 304, a response
   * already encoded or carrying {@code Content-Range}, one marked {@code Cache-Control:
   * no-transform}, a type outside the settings' types, a declared length of 0 or under {@code
   * min_length}.
   */
  public Decision decide(HttpResponse response) {
    if (!settings.enabled()) {
      return Decision.KEEP;
    }
    int code = response.status().code();
    if (code < 200 || code == 204 || code == 206 || code == 304) {
      return Decision.KEEP;
    }
    HttpHeaders headers = response.headers();
    if (headers.contains(HttpHeaderNames.CONTENT_ENCODING)
        || headers.contains(HttpHeaderNames.CONTENT_RANGE)
        || headers.containsValue(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_TRANSFORM, true)
        || !settings.compressible(headers.get(HttpHeaderNames.CONTENT_TYPE))) {
      return Decision.KEEP;
    }
    long length = declaredLength(response);
    if (length == 0 || (length > 0 && length < settings.minLength())) {
      return Decision.KEEP;
    }
    return coding == null || head ? Decision.VARY : Decision.COMPRESS;
  }

  ContentCoding coding() {
    return coding;
  }

  int level() {
    return settings.level();
  }

  boolean http10() {
    return http10;
  }

  /** The body length the head declares, -1 when unknown (chunked or ended by the close). */
  private static long declaredLength(HttpResponse response) {
    String value = response.headers().get(HttpHeaderNames.CONTENT_LENGTH);
    if (value == null) {
      return response instanceof FullHttpResponse full ? full.content().readableBytes() : -1;
    }
    try {
      return Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
