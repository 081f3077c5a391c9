package dev.wharf.dataplane.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What an endpoint's hop-by-hop headers become, and what they said about its connection. */
class HopByHopTest {
  @Test
  void everyHopByHopHeaderAndEveryHeaderConnectionNamesIsRemoved() {
    HttpResponse response = response(HttpVersion.HTTP_1_1, "keep-alive, X-Trace , close");
    response
        .headers()
        .add("X-Trace", "1")
        .add("Keep-Alive", "timeout=5")
        .add("Proxy-Connection", "keep-alive")
        .add("TE", "trailers")
        .add("Trailer", "X-Sum")
        .add("Upgrade", "h2c")
        .add("Content-Length", "6")
        .add("X-Kept", "yes");

    int found = HopByHop.strip(response);

    assertEquals(HopByHop.CLOSE | HopByHop.KEEP_ALIVE, found);
    assertEquals(List.of("content-length", "x-kept"), names(response));
  }

  @Test
  void aConnectionHeaderCannotStripTheFramingOrTheHost() {
    HttpResponse response = response(HttpVersion.HTTP_1_1, "Content-Length, Host");
    response.headers().add("Content-Length", "6").add("Host", "a.example");

    assertEquals(0, HopByHop.strip(response));
    assertEquals(List.of("content-length", "host"), names(response));
  }

  @Test
  void aChunkedBodyStaysChunkedWithNoOtherCoding() {
    HttpResponse response = response(HttpVersion.HTTP_1_1, null);
    response.headers().add("Transfer-Encoding", "gzip, chunked");

    assertEquals(HopByHop.CHUNKED, HopByHop.strip(response));
    assertEquals(List.of("chunked"), response.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING));
  }

  /** Whatever the headers, the answer is the one Netty's {@code HttpUtil.isKeepAlive} gives. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      nullValues = "none",
      value = {
        "HTTP/1.1 | none                 | true",
        "HTTP/1.1 | keep-alive           | true",
        "HTTP/1.1 | close                | false",
        "HTTP/1.1 | Close                | false",
        "HTTP/1.1 | 'x-a ,  CLOSE'       | false",
        "HTTP/1.1 | keep-alive, close    | false",
        "HTTP/1.1 | closed               | true",
        "HTTP/1.1 | x-close              | true",
        "HTTP/1.0 | none                 | false",
        "HTTP/1.0 | keep-alive           | true",
        "HTTP/1.0 | Keep-Alive           | true",
        "HTTP/1.0 | x-a,keep-alive       | true",
        "HTTP/1.0 | keep-alives          | false",
        "HTTP/1.0 | keep-alive, close    | false",
      })
  void keepsAliveExactlyWhenNettysRuleSays(String version, String connection, boolean expected) {
    HttpResponse response = response(HttpVersion.valueOf(version), connection);
    boolean netty = HttpUtil.isKeepAlive(response);

    int found = HopByHop.strip(response);

    assertEquals(expected, netty, "the case's own expectation");
    assertEquals(netty, HopByHop.keepsAlive(response.protocolVersion(), found));
    assertFalse(response.headers().contains(HttpHeaderNames.CONNECTION));
  }

  @Test
  void twoConnectionHeadersAreBothRead() {
    HttpResponse response = response(HttpVersion.HTTP_1_1, "keep-alive");
    response.headers().add(HttpHeaderNames.CONNECTION, "close");

    int found = HopByHop.strip(response);

    assertFalse(HopByHop.keepsAlive(HttpVersion.HTTP_1_1, found));
    assertTrue((found & HopByHop.KEEP_ALIVE) != 0);
  }

  private static HttpResponse response(HttpVersion version, String connection) {
    HttpResponse response = new DefaultHttpResponse(version, HttpResponseStatus.OK);
    if (connection != null) {
      response.headers().add(HttpHeaderNames.CONNECTION, connection);
    }
    return response;
  }

  private static List<String> names(HttpResponse response) {
    return response.headers().names().stream().map(String::toLowerCase).sorted().toList();
  }
}
