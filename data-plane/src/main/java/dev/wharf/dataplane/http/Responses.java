package dev.wharf.dataplane.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Responses Wharf itself writes: errors, fixed responses and redirects. */
public final class Responses {
  /** The {@code Server} header of every response the node sends. */
  public static final String SERVER = "wharf";

  /**
   * RFC 9110's IMF-fixdate. {@code RFC_1123_DATE_TIME} would write "Mon, 1 Jun", which HTTP does
   * not allow (the day has two digits).
   */
  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT);

  private Responses() {}

  /**
   * A response with a text body. {@code headOnly} keeps the body's length but sends no body, as a
   * HEAD request needs.
   */
  public static FullHttpResponse text(
      ByteBufAllocator alloc,
      HttpResponseStatus status,
      String contentType,
      String body,
      boolean headOnly,
      Instant now) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            headOnly || bytes.length == 0
                ? Unpooled.EMPTY_BUFFER
                : alloc.buffer(bytes.length).writeBytes(bytes));
    response
        .headers()
        .set(HttpHeaderNames.SERVER, SERVER)
        .set(HttpHeaderNames.DATE, httpDate(now))
        .set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    if (bytes.length > 0) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    }
    return response;
  }

  /** A short plain-text error: {@code 404 Not Found}, and nothing about Wharf's insides. */
  public static FullHttpResponse error(
      ByteBufAllocator alloc,
      HttpResponseStatus status,
      boolean headOnly,
      boolean close,
      Instant now) {
    FullHttpResponse response =
        text(
            alloc,
            status,
            "text/plain; charset=utf-8",
            status.code() + " " + status.reasonPhrase() + "\n",
            headOnly,
            now);
    if (close) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return response;
  }

  /** The Date header value; formatted once per second per thread, not once per response. */
  public static String httpDate(Instant now) {
    return httpDate(now.toEpochMilli());
  }

  /**
   * The Date header value at {@code epochMillis} (a {@code Clock.millis()}: cheaper to read than an
   * {@code Instant}, and a proxied response asks on every request).
   */
  public static String httpDate(long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    CachedDate cached = LAST_DATE.get();
    if (cached.second != second) {
      cached.second = second;
      cached.text = IMF_FIXDATE.format(Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC));
    }
    return cached.text;
  }

  private static final class CachedDate {
    long second = Long.MIN_VALUE;
    String text;
  }

  private static final FastThreadLocal<CachedDate> LAST_DATE =
      new FastThreadLocal<>() {
        @Override
        protected CachedDate initialValue() {
          return new CachedDate();
        }
      };
}
