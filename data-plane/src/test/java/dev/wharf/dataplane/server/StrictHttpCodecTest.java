package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The strict codec alone: raw bytes in, requests or refusals out; responses encoded. */
@ExtendWith(NettyLeakExtension.class)
class StrictHttpCodecTest {
  private static final int MAX_HEADER_LINE = 1024;

  private final StrictHttpCodec codec =
      new StrictHttpCodec(
          new HttpDecoderConfig().setStrictLineParsing(true).setUseRfc9112TransferEncoding(true),
          MAX_HEADER_LINE);
  private final EmbeddedChannel channel = new EmbeddedChannel(codec);

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  /** Heads Netty's decoder alone would accept or reshape, with the status they now get. */
  static Stream<Arguments> refusedHeads() {
    return Stream.of(
        Arguments.of("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        Arguments.of("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        Arguments.of("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400),
        // The version is checked without a regex: every shape around the dot.
        Arguments.of("GET / HTTP/1.\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/1.1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/x.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/11.0\r\nHost: a\r\n\r\n", 505),
        Arguments.of("GET / HTTP/1..1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/11\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTPS/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/1/1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/10.0\r\nHost: a\r\n\r\n", 505),
        Arguments.of("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("get / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET /a\u007fb HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET /\r\nHost: a\r\n\r\n", 400),
        Arguments.of("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400),
        Arguments.of("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", 400),
        Arguments.of("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400),
        Arguments.of("GET / HTTP/1.1\r\nHost: a\r\n \r\n\r\n", 400),
        // One byte over max_header_line_size, counted from the name to the end of the value.
        Arguments.of("GET / HTTP/1.1\r\nHost: a\r\nX-L: " + "v".repeat(1020) + "\r\n\r\n", 400),
        Arguments.of("GET / HTTP/1.1\r\nX-L: " + "v".repeat(1020) + "\r\nHost: a\r\n\r\n", 400));
  }

  @ParameterizedTest
  @MethodSource("refusedHeads")
  void aHeadNettyWouldReshapeIsRefusedWithItsStatus(String head, int status) {
    channel.writeInbound(ascii(head));

    assertEquals(status, refusal(onlyMessage()).code());
  }

  @ParameterizedTest
  @MethodSource("refusedHeads")
  void aHeadArrivingOneByteAtATimeIsRefusedAlike(String head, int status) {
    for (byte b : head.getBytes(StandardCharsets.ISO_8859_1)) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }

    assertEquals(status, refusal(onlyMessage()).code());
  }

  @Test
  void aHeadSplitIntoOneByteReadsIsScannedOnce() {
    String head =
        "POST /upload?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
            + "X-Long: "
            + "v".repeat(500)
            + "\r\n\r\n";
    for (byte b : head.getBytes(StandardCharsets.ISO_8859_1)) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    channel.writeInbound(ascii("abc"));

    List<Object> out = drain();
    assertInstanceOf(HttpRequest.class, out.get(0));
    assertTrue(((HttpObject) out.get(0)).decoderResult().isSuccess());
    assertInstanceOf(LastHttpContent.class, out.get(out.size() - 1));
    assertEquals(head.length(), codec.headBytesScanned(), "each head byte once, no body byte");
    out.forEach(ReferenceCountUtil::release);
  }

  @Test
  void headerLinesThatFillTheLimitWithTheirCrlfPassInEveryHeadOfAConnection() {
    String line = "X-L: " + "v".repeat(MAX_HEADER_LINE - 2 - 5);
    String head = "GET / HTTP/1.1\r\nHost: a\r\n" + line + "\r\n" + line + "\r\n\r\n";
    channel.writeInbound(ascii(head + head));

    List<Object> out = drain();
    List<HttpRequest> requests = new ArrayList<>();
    for (Object o : out) {
      if (o instanceof HttpRequest r) {
        requests.add(r);
      }
    }
    assertEquals(2, requests.size());
    for (HttpRequest r : requests) {
      assertTrue(r.decoderResult().isSuccess(), r.decoderResult().toString());
      assertEquals(List.of(line.substring(5), line.substring(5)), r.headers().getAll("X-L"));
    }
    out.forEach(ReferenceCountUtil::release);
  }

  @Test
  void methodsOfUpperCaseLettersUnderscoresAndDashesPassAsNginxLetsThem() {
    channel.writeInbound(ascii("G_E-T / HTTP/1.0\r\n\r\n"));

    List<Object> out = drain();
    HttpRequest request = assertInstanceOf(HttpRequest.class, out.get(0));
    assertTrue(request.decoderResult().isSuccess());
    assertEquals("G_E-T", request.method().name());
    out.forEach(ReferenceCountUtil::release);
  }

  @Test
  void bodyBytesAreNotTakenForAHeadAndTheNextHeadIsScanned() {
    // The body has lines starting with a space and lower case: only heads are held to the rules.
    channel.writeInbound(
        ascii(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "8\r\n x\r\n get\r\n0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET / HTTP/9.9\r\nHost: a\r\n\r\n"));

    List<Object> out = drain();
    List<HttpRequest> requests = new ArrayList<>();
    for (Object o : out) {
      if (o instanceof HttpRequest r) {
        requests.add(r);
      }
    }
    assertEquals(3, requests.size());
    assertTrue(requests.get(0).decoderResult().isSuccess());
    assertTrue(requests.get(1).decoderResult().isSuccess());
    assertEquals(505, refusal(requests.get(2)).code());
    out.forEach(ReferenceCountUtil::release);
  }

  @Test
  void afterARefusalTheRestOfTheInputIsDropped() {
    channel.writeInbound(ascii("GET / HTTP/2.0\r\nHost: a\r\n\r\n"));
    channel.writeInbound(ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));

    refusal(onlyMessage());
  }

  @Test
  void aResponseToHeadHasNoBodyOnTheWire() {
    channel.writeInbound(
        ascii("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"));
    drain().forEach(ReferenceCountUtil::release);

    channel.writeOutbound(response("hello"), response("world"));

    String wire = outbound();
    assertFalse(wire.contains("hello"), wire);
    assertTrue(wire.endsWith("\r\n\r\nworld"), wire);
  }

  @Test
  void anInterimResponseDoesNotTakeTheMethodOfTheRequestItPrecedes() {
    channel.writeInbound(ascii("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"));
    drain().forEach(ReferenceCountUtil::release);

    channel.writeOutbound(
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER),
        response("hello"));

    assertFalse(outbound().contains("hello"));
  }

  private static DefaultFullHttpResponse response(String body) {
    DefaultFullHttpResponse r =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, ascii(body));
    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
    return r;
  }

  private String outbound() {
    StringBuilder wire = new StringBuilder();
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf b = (ByteBuf) o;
      wire.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return wire.toString();
  }

  private static HttpResponseStatus refusal(Object message) {
    HttpObject http = (HttpObject) message;
    assertTrue(http.decoderResult().isFailure(), "refused");
    ReferenceCountUtil.release(message);
    return assertInstanceOf(RejectedRequestException.class, http.decoderResult().cause()).status();
  }

  /** The one message decoded: a failed request is whole, nothing follows it. */
  private Object onlyMessage() {
    List<Object> out = drain();
    assertEquals(1, out.size(), () -> "decoded: " + out);
    return out.get(0);
  }

  private List<Object> drain() {
    List<Object> out = new ArrayList<>();
    for (Object o; (o = channel.readInbound()) != null; ) {
      out.add(o);
    }
    return out;
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  @Test
  void aGoodHeadPassesWhole() {
    channel.writeInbound(ascii("GET /a?b=c HTTP/1.1\r\nHost: a\r\nX-Y: z\r\n\r\n"));

    List<Object> out = drain();
    HttpRequest request = assertInstanceOf(HttpRequest.class, out.get(0));
    assertNull(request.decoderResult().cause());
    assertEquals("/a?b=c", request.uri());
    out.forEach(ReferenceCountUtil::release);
    assertInstanceOf(HttpContent.class, out.get(out.size() - 1));
  }
}
