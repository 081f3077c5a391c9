package dev.wharf.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One stream of an {@link H2WsClient}: an extended CONNECT and, once answered {@code 200}, a
 * WebSocket whose RFC 6455 frames travel as the stream's DATA (RFC 8441 5). Frames sent are masked
 * (Netty's encoder); frames received are decoded by Netty's decoder, which refuses masked ones, so
 * a proxy that masked towards the client would show as a protocol error here.
 *
 * <p>Collected: whole messages (text as String, binary as byte[]), pongs, the close code the server
 * sent (1005 for a close frame without one; the client answers it with the same frame and then ends
 * its side of the stream), whether the server ended the stream ({@code END_STREAM}) or reset it,
 * and the bytes of WebSocket payload received. A non-200 response's body is kept as text.
 *
 * <p>Threading: the stream lives on its client's event loop; the methods may be called from any
 * other thread. Every wait is bounded.
 */
public final class H2WebSocket {
  private static final int MAX_FRAME = 16 * 1024 * 1024;

  private final Http2StreamChannel stream;
  private final CompletableFuture<Http2Headers> head = new CompletableFuture<>();
  private final CompletableFuture<Boolean> ended = new CompletableFuture<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
  private final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
  private final AtomicLong payloadBytes = new AtomicLong();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private volatile boolean endStreamReceived;
  private volatile Http2Error resetReceived;
  private volatile boolean closeSent;
  private volatile boolean answerCloses = true;
  private ByteBuf rest;

  private H2WebSocket(Http2StreamChannel stream) {
    this.stream = stream;
  }

  static H2WebSocket on(Http2StreamChannel stream) {
    H2WebSocket ws = new H2WebSocket(stream);
    WebSocketDecoderConfig decoding =
        WebSocketDecoderConfig.newBuilder()
            .expectMaskedFrames(false)
            .maxFramePayloadLength(MAX_FRAME)
            .build();
    stream
        .pipeline()
        .addLast(ws.new StreamSide())
        .addLast(new WebSocket08FrameEncoder(true))
        .addLast(new WebSocket08FrameDecoder(decoding))
        .addLast(ws.new Collector());
    stream.closeFuture().addListener(f -> ws.ended.complete(Boolean.TRUE));
    return ws;
  }

  void sendHead(Http2Headers headers) {
    stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false));
  }

  void awaitResponseHead() {
    H2WsClient.bounded(head, "a response head on stream " + stream.stream().id());
  }

  /** The response's {@code :status}. */
  public CharSequence status() {
    return responseHead().status();
  }

  /** The response head. */
  public Http2Headers responseHead() {
    return head.getNow(null);
  }

  /** The body of a response that was not {@code 200}, as UTF-8 text, once the stream ended. */
  public String body() {
    synchronized (body) {
      return body.toString(StandardCharsets.UTF_8);
    }
  }

  /** The stream id. */
  public int id() {
    return stream.stream().id();
  }

  // ---- sending ----------------------------------------------------------------------------------

  /** Sends {@code frame} (masked) in one DATA frame and waits until it is written. */
  public void send(WebSocketFrame frame) {
    if (frame instanceof CloseWebSocketFrame) {
      closeSent = true;
    }
    awaitWritten(stream.writeAndFlush(frame), "a frame");
  }

  public void sendText(String text) {
    send(new TextWebSocketFrame(text));
  }

  public void sendBinary(byte[] bytes) {
    send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
  }

  /** Sends a close frame with {@code code}; the server's answer shows in {@link #closeCode}. */
  public void sendClose(int code) {
    send(new CloseWebSocketFrame(code, "bye"));
  }

  /**
   * Sends {@code frame} (masked) cut into DATA frames of at most {@code chunk} bytes each, so a
   * WebSocket frame's header and payload arrive in several pieces.
   */
  public void sendSplit(WebSocketFrame frame, int chunk) {
    CompositeByteBuf wire = encode(frame);
    try {
      while (wire.isReadable()) {
        ByteBuf piece = wire.readRetainedSlice(Math.min(chunk, wire.readableBytes()));
        awaitWritten(stream.writeAndFlush(piece), "a piece of a frame");
      }
    } finally {
      wire.release();
    }
  }

  /**
   * From now on a close frame from the server is only recorded, not answered: the test answers it
   * itself ({@link #sendClose}, {@link #endStream}) when it is done sending.
   */
  public void holdCloseAnswer() {
    answerCloses = false;
  }

  /**
   * Sends the first {@code n} bytes of {@code frame} (masked, header included) and keeps the rest
   * for {@link #sendRest}: the stream is left in the middle of a frame.
   */
  public void sendPrefix(WebSocketFrame frame, int n) {
    CompositeByteBuf wire = encode(frame);
    awaitWritten(stream.writeAndFlush(wire.readRetainedSlice(n)), "the start of a frame");
    rest = wire;
  }

  /** Sends what {@link #sendPrefix} kept back. */
  public void sendRest() {
    ByteBuf left = rest;
    rest = null;
    awaitWritten(stream.writeAndFlush(left), "the rest of a frame");
  }

  private static CompositeByteBuf encode(WebSocketFrame frame) {
    EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket08FrameEncoder(true));
    encoder.writeOutbound(frame);
    CompositeByteBuf wire = Unpooled.compositeBuffer();
    for (Object part; (part = encoder.readOutbound()) != null; ) {
      wire.addComponent(true, (ByteBuf) part);
    }
    encoder.finishAndReleaseAll();
    return wire;
  }

  /** Ends the client's side of the stream: an empty DATA frame with END_STREAM. */
  public void endStream() {
    awaitWritten(
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true)), "END_STREAM");
  }

  /** Resets the stream (RST_STREAM CANCEL). */
  public void reset() {
    if (stream.isActive()) {
      stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
    }
  }

  /**
   * Stops reading the stream: what the server sends stays in the stream's window, which this client
   * no longer opens, so the server must stop sending.
   */
  public void stopReading() {
    stream.eventLoop().execute(() -> stream.config().setAutoRead(false));
  }

  /** Reads the stream again. */
  public void resumeReading() {
    stream
        .eventLoop()
        .execute(
            () -> {
              stream.config().setAutoRead(true);
              stream.read();
            });
  }

  // ---- receiving --------------------------------------------------------------------------------

  /** The next whole message (String or byte[]), waiting up to {@code timeout}. */
  public Object nextMessage(Duration timeout) throws InterruptedException {
    Object m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (m == null) {
      throw new AssertionError("no message on stream " + id() + " within " + timeout);
    }
    return m;
  }

  /** The payload of the next pong, waiting up to {@code timeout}. */
  public byte[] nextPong(Duration timeout) throws InterruptedException {
    byte[] p = pongs.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (p == null) {
      throw new AssertionError("no pong on stream " + id() + " within " + timeout);
    }
    return p;
  }

  /** The code of the close frame the server sent, waiting up to {@code timeout}. */
  public int closeCode(Duration timeout) {
    return H2WsClient.bounded(closeCode, timeout, "a close frame on stream " + id());
  }

  /**
   * Waits up to {@code timeout} until the server ended its side of the stream (END_STREAM or
   * RST_STREAM) or the stream is gone.
   */
  public void awaitEnd(Duration timeout) {
    H2WsClient.bounded(ended, timeout, "the end of stream " + id());
  }

  /** Whether the server ended its side with END_STREAM. */
  public boolean endStreamReceived() {
    return endStreamReceived;
  }

  /** The error code of the server's RST_STREAM, or null when it sent none. */
  public Http2Error resetReceived() {
    return resetReceived;
  }

  /** WebSocket payload bytes received so far (all data frames). */
  public long payloadBytesReceived() {
    return payloadBytes.get();
  }

  private static void awaitWritten(io.netty.channel.ChannelFuture written, String what) {
    if (!written.awaitUninterruptibly(20_000)) {
      throw new AssertionError(what + " not written within 20 s: the stream's window stays shut");
    }
    if (!written.isSuccess()) {
      throw new AssertionError(what + " not written", written.cause());
    }
  }

  /** HTTP/2 frames of the stream in and out: heads, DATA as bytes, END_STREAM, RST_STREAM. */
  private final class StreamSide extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2HeadersFrame frame) {
        head.complete(frame.headers());
        if (frame.isEndStream()) {
          endStreamReceived = true;
          ended.complete(Boolean.TRUE);
        }
      } else if (msg instanceof Http2DataFrame data) {
        boolean end = data.isEndStream();
        if (isAccepted()) {
          ctx.fireChannelRead(data.content().retain());
        } else {
          synchronized (body) {
            body.writeBytes(ByteBufUtil.getBytes(data.content()));
          }
        }
        data.release();
        if (end) {
          endStreamReceived = true;
          ended.complete(Boolean.TRUE);
        }
      } else if (msg instanceof Http2ResetFrame reset) {
        resetReceived = Http2Error.valueOf(reset.errorCode());
        ended.complete(Boolean.TRUE);
        head.completeExceptionally(new AssertionError("stream reset: " + resetReceived));
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    private boolean isAccepted() {
      Http2Headers h = head.getNow(null);
      return h != null && "200".contentEquals(h.status());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof ByteBuf bytes) {
        ctx.write(new DefaultHttp2DataFrame(bytes), promise);
      } else {
        ctx.write(msg, promise);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ByteBuf unsent = rest;
      if (unsent != null) {
        rest = null;
        unsent.release();
      }
      head.completeExceptionally(new AssertionError("stream closed before a response head"));
      closeCode.completeExceptionally(new AssertionError("stream closed without a close frame"));
      ctx.fireChannelInactive();
    }
  }

  /** Whole messages, pongs and the close frame; answers a close the server started. */
  private final class Collector extends ChannelInboundHandlerAdapter {
    private ByteArrayOutputStream fragments;
    private boolean fragmentsAreText;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      WebSocketFrame frame = (WebSocketFrame) msg;
      try {
        byte[] payload = ByteBufUtil.getBytes(frame.content());
        payloadBytes.addAndGet(payload.length);
        if (frame instanceof CloseWebSocketFrame close) {
          int code = close.statusCode() == -1 ? 1005 : close.statusCode();
          if (answerCloses) {
            if (!closeSent) {
              closeSent = true;
              ctx.write(
                  code == 1005 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, ""));
            }
            ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
          }
          closeCode.complete(code);
        } else if (frame instanceof PingWebSocketFrame) {
          ctx.writeAndFlush(new PongWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        } else if (frame instanceof PongWebSocketFrame) {
          pongs.add(payload);
        } else {
          collect(frame, payload);
        }
      } finally {
        frame.release();
      }
    }

    private void collect(WebSocketFrame frame, byte[] payload) {
      if (!(frame instanceof ContinuationWebSocketFrame)) {
        fragments = new ByteArrayOutputStream();
        fragmentsAreText = frame instanceof TextWebSocketFrame;
      }
      fragments.writeBytes(payload);
      if (frame.isFinalFragment()) {
        byte[] whole = fragments.toByteArray();
        messages.add(fragmentsAreText ? new String(whole, StandardCharsets.UTF_8) : whole);
        fragments = null;
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      closeCode.completeExceptionally(cause);
      ctx.close();
    }
  }
}
