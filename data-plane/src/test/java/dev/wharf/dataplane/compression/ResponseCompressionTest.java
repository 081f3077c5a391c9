package dev.wharf.dataplane.compression;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.compression.ResponseCompression.Decision;
import dev.wharf.proto.config.v1.Compression;
import dev.wharf.proto.config.v1.Size;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which responses a route's compression settings compress, leave alone, or mark as varying. */
class ResponseCompressionTest {
  private static final CompressionSettings SETTINGS =
      CompressionSettings.compile(
          Compression.newBuilder()
              .setEnabled(true)
              .addTypes("text/css")
              .addTypes("application/*")
              .setMinLength(Size.newBuilder().setBytes(100))
              .build());

  private static HttpRequest request(HttpMethod method, String acceptEncoding) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/");
    if (acceptEncoding != null) {
      r.headers().set("accept-encoding", acceptEncoding);
    }
    return r;
  }

  private static HttpResponse response(int status, String type, Long length) {
    HttpResponse r =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    if (type != null) {
      r.headers().set("content-type", type);
    }
    if (length != null) {
      r.headers().set("content-length", length);
    }
    return r;
  }

  private static Decision decide(HttpResponse response) {
    return SETTINGS.forRequest(request(HttpMethod.GET, "gzip")).decide(response);
  }

  @Test
  void aLongEnoughResponseOfAListedTypeIsCompressed() {
    assertEquals(Decision.COMPRESS, decide(response(200, "text/css", 100L)));
    assertEquals(Decision.COMPRESS, decide(response(404, "text/css; charset=utf-8", 5000L)));
    assertEquals(
        Decision.COMPRESS,
        decide(response(200, "TEXT/CSS", null)),
        "unknown length counts as long enough");
  }

  @Test
  void textHtmlIsAlwaysListedAndAWildcardCoversASubtypeFamily() {
    assertEquals(Decision.COMPRESS, decide(response(200, "text/html", 1000L)));
    assertEquals(Decision.COMPRESS, decide(response(200, "application/json", 1000L)));
    assertEquals(Decision.KEEP, decide(response(200, "image/png", 1000L)));
    assertEquals(Decision.KEEP, decide(response(200, null, 1000L)));
  }

  @Test
  void shortAndEmptyBodiesAreKept() {
    assertEquals(Decision.KEEP, decide(response(200, "text/css", 99L)));
    assertEquals(Decision.KEEP, decide(response(200, "text/css", 0L)));
  }

  @Test
  void bodilessPartialAndInterimStatusesAreKept() {
    for (int status : new int[] {101, 204, 206, 304}) {
      assertEquals(Decision.KEEP, decide(response(status, "text/css", 1000L)), "" + status);
    }
  }

  @Test
  void encodedRangedAndNoTransformResponsesAreKept() {
    HttpResponse encoded = response(200, "text/css", 1000L);
    encoded.headers().set("content-encoding", "br");
    HttpResponse ranged = response(200, "text/css", 1000L);
    ranged.headers().set("content-range", "bytes 0-999/5000");
    HttpResponse noTransform = response(200, "text/css", 1000L);
    noTransform.headers().set("cache-control", "public, No-Transform");

    assertEquals(Decision.KEEP, decide(encoded));
    assertEquals(Decision.KEEP, decide(ranged));
    assertEquals(Decision.KEEP, decide(noTransform));
  }

  @Test
  void aClientThatAcceptsNothingOrAHeadGetsVaryOnly() {
    HttpResponse css = response(200, "text/css", 1000L);

    assertEquals(Decision.VARY, SETTINGS.forRequest(request(HttpMethod.GET, null)).decide(css));
    assertEquals(
        Decision.VARY, SETTINGS.forRequest(request(HttpMethod.GET, "gzip;q=0")).decide(css));
    assertEquals(Decision.VARY, SETTINGS.forRequest(request(HttpMethod.HEAD, "gzip")).decide(css));
  }

  @Test
  void aFullResponseWithoutALengthHeaderIsMeasured() {
    FullHttpResponse small =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer("short", StandardCharsets.US_ASCII));
    small.headers().set("content-type", "text/css");
    try {
      assertEquals(Decision.KEEP, decide(small));
    } finally {
      small.release();
    }
  }

  @Test
  void disabledSettingsNeverTouchAResponse() {
    HttpResponse css = response(200, "text/html", 1000L);

    assertEquals(
        Decision.KEEP,
        CompressionSettings.OFF.forRequest(request(HttpMethod.GET, "gzip")).decide(css));
    assertEquals(Decision.KEEP, ResponseCompression.OFF.decide(css));
  }

  @Test
  void proxiedFalseRefusesRequestsWithVia() {
    CompressionSettings direct =
        CompressionSettings.compile(
            Compression.newBuilder().setEnabled(true).setProxied(false).build());
    HttpRequest viaProxy = request(HttpMethod.GET, "gzip");
    viaProxy.headers().set("via", "1.1 cdn");
    HttpResponse html = response(200, "text/html", 1000L);

    assertEquals(Decision.VARY, direct.forRequest(viaProxy).decide(html));
    assertEquals(
        Decision.COMPRESS, direct.forRequest(request(HttpMethod.GET, "gzip")).decide(html));
  }
}
