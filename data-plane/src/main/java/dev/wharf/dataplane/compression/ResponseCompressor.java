package dev.wharf.dataplane.compression;

import dev.wharf.dataplane.http.RequestRecord;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Compresses responses on their way to the client, each as its request's {@link
 * ResponseCompression} says. The dispatcher hands over that plan when it routes a request ({@link
 * #expect}); the next final response head takes it, so responses written before routing (400, 404)
 * and interim ones ({@code 100 Continue}) are never touched.
 *
 * <p>A compressed body is streamed: each piece is compressed and written as it comes, the {@code
 * Content-Length} goes, and the body is chunked (or, for an HTTP/1.0 client, ended by closing the
 * connection). A response given whole ({@link FullHttpResponse}) is compressed whole and keeps a
 * {@code Content-Length}. As nginx does, a compressed response's strong {@code ETag} becomes weak
 * and its {@code Accept-Ranges} goes.
 *
 * <p>Sits between the HTTP codec and every writer of responses, the chunked file writer included.
 * Confined to the connection's event loop.
 */
public final class ResponseCompressor extends ChannelDuplexHandler {
  private ResponseCompression next = ResponseCompression.OFF;
  private RequestRecord nextRecord;
  private ZlibStream stream;
  private RequestRecord streamRecord;
  private boolean closeAfterBody;

  /**
   * The response to the request just routed follows {@code plan}; the size of a compressed body is
   * counted in {@code record} ({@code $body_bytes_sent}).
   */
  public void expect(ResponseCompression plan, RequestRecord record) {
    next = plan;
    nextRecord = record;
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response && response.status().code() >= 200) {
      writeHead(ctx, response, promise);
    } else if (stream != null && msg instanceof HttpContent content) {
      writeBody(ctx, content, promise);
    } else {
      ctx.write(msg, promise);
    }
  }

  private void writeHead(ChannelHandlerContext ctx, HttpResponse response, ChannelPromise promise) {
    ResponseCompression plan = next;
    RequestRecord record = nextRecord;
    next = ResponseCompression.OFF;
    nextRecord = null;
    discardStream(); // only left over if a previous body never ended, which a writer must not do
    ResponseCompression.Decision decision = plan.decide(response);
    if (decision != ResponseCompression.Decision.KEEP) {
      addVary(response.headers());
    }
    if (decision != ResponseCompression.Decision.COMPRESS) {
      ctx.write(response, promise);
      return;
    }
    ZlibStream zlib = ZlibStream.open(ctx.channel(), plan.coding(), plan.level());
    markEncoded(response.headers(), plan.coding());
    if (response instanceof FullHttpResponse full) {
      writeWhole(ctx, full, zlib, record, promise);
      return;
    }
    HttpHeaders headers = response.headers();
    headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    if (plan.http10()) {
      // HTTP/1.0 has no chunked coding: the body ends when the connection does.
      headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      closeAfterBody = true;
    } else {
      HttpUtil.setTransferEncodingChunked(response, true);
    }
    stream = zlib;
    streamRecord = record;
    ctx.write(response, promise);
  }

  private static void writeWhole(
      ChannelHandlerContext ctx,
      FullHttpResponse full,
      ZlibStream zlib,
      RequestRecord record,
      ChannelPromise promise) {
    ByteBuf body;
    try {
      body = join(ctx.alloc(), zlib.compress(full.content()), zlib.finish());
    } finally {
      full.content().release();
    }
    full.headers()
        .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .remove(HttpHeaderNames.TRANSFER_ENCODING);
    if (record != null) {
      record.bodyEncoded(body.readableBytes());
    }
    ctx.write(full.replace(body), promise);
  }

  private void writeBody(ChannelHandlerContext ctx, HttpContent content, ChannelPromise promise) {
    LastHttpContent last = content instanceof LastHttpContent l ? l : null;
    ByteBuf out;
    try {
      out = stream.compress(content.content());
      if (last != null) {
        out = join(ctx.alloc(), out, stream.finish());
      }
    } finally {
      content.content().release();
    }
    if (streamRecord != null) {
      streamRecord.bodyEncoded(out.readableBytes());
    }
    if (last == null) {
      ctx.write(new DefaultHttpContent(out), promise);
      return;
    }
    stream = null;
    streamRecord = null;
    if (closeAfterBody) {
      closeAfterBody = false;
      promise = promise.unvoid();
      promise.addListener(ChannelFutureListener.CLOSE);
    }
    ctx.write(new DefaultLastHttpContent(out, last.trailingHeaders()), promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    discardStream();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    discardStream();
  }

  private void discardStream() {
    if (stream != null) {
      stream.discard();
      stream = null;
      streamRecord = null;
      closeAfterBody = false;
    }
  }

  /** The client's coding; a strong validator no longer names these bytes; ranges are gone. */
  private static void markEncoded(HttpHeaders headers, ContentCoding coding) {
    headers.set(HttpHeaderNames.CONTENT_ENCODING, coding.token());
    headers.remove(HttpHeaderNames.ACCEPT_RANGES);
    String etag = headers.get(HttpHeaderNames.ETAG);
    if (etag != null && !etag.startsWith("W/")) {
      headers.set(HttpHeaderNames.ETAG, "W/" + etag);
    }
  }

  /** Adds {@code Accept-Encoding} to {@code Vary} unless it (or {@code *}) is there already. */
  static void addVary(HttpHeaders headers) {
    for (String value : headers.getAll(HttpHeaderNames.VARY)) {
      for (String token : value.split(",")) {
        String name = token.strip();
        if (name.equals("*") || name.equalsIgnoreCase("accept-encoding")) {
          return;
        }
      }
    }
    headers.add(HttpHeaderNames.VARY, "Accept-Encoding");
  }

  private static ByteBuf join(ByteBufAllocator alloc, ByteBuf a, ByteBuf b) {
    if (!a.isReadable()) {
      a.release();
      return b;
    }
    if (!b.isReadable()) {
      b.release();
      return a;
    }
    CompositeByteBuf both = alloc.compositeBuffer(2);
    return both.addComponent(true, a).addComponent(true, b);
  }
}
