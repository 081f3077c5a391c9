package dev.wharf.dataplane.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The client connection's HTTP/1.1 codec: Netty's request decoder behind a strict look at the raw
 * bytes of each head, and Netty's response encoder told which request each response answers. It
 * stands in for {@code HttpServerCodec}, which cannot be given another decoder.
 *
 * <p>Why a decoder subclass: by the time Netty's decoder hands over a request it has normalised
 * what a proxy must refuse (a tab for a space, {@code http/1.1}, a folded header, {@code HTTP/2.0}
 * taken as a version), and a handler in front of the codec would not know where a head starts
 * without parsing the bodies again. The subclass knows: a head starts when the connection does and
 * after each {@link LastHttpContent} the decoder emits. Before the decoder sees head bytes, a
 * {@link RequestHeadScanner} checks them, resuming where it stopped, so a head arriving one byte
 * per read is still scanned once. On a fault the decoder emits a request whose {@link
 * DecoderResult} fails with a {@link RejectedRequestException} (the way Netty reports its own
 * faults) and drops every byte after it: the dispatcher answers and closes.
 *
 * <p>What {@code HttpServerCodec} adds to the encoder is kept: the methods of decoded requests are
 * queued, and a final response to a {@code HEAD} is encoded without a body; a {@code 2xx} to {@code
 * CONNECT} loses its {@code Transfer-Encoding}; a request that had both {@code Transfer-Encoding:
 * chunked} and {@code Content-Length} closes the connection after its response. So does a final
 * response that does not keep the connection ({@code Connection: close}), as Netty's {@code
 * HttpServerKeepAliveHandler} did in this pipeline: the writers decide keep-alive, this makes sure
 * the connection ends when they said so, without a handler of its own. Interim (1xx) responses do
 * not consume a queued method: the final response that follows answers the same request.
 *
 * <p>One instance per connection, on its event loop.
 */
final class StrictHttpCodec
    extends CombinedChannelDuplexHandler<StrictHttpCodec.Decoder, StrictHttpCodec.Encoder> {
  private final Queue<HttpMethod> methods = new ArrayDeque<>(2);
  private boolean closeAfterResponse;

  /**
   * @param maxHeaderLine the longest header line accepted (bytes without CRLF); a longer one is 400
   */
  StrictHttpCodec(HttpDecoderConfig config, int maxHeaderLine) {
    init(new Decoder(config, maxHeaderLine), new Encoder());
  }

  /** How many head bytes the scanner has looked at on this connection. */
  long headBytesScanned() {
    return inboundHandler().scanner.bytesSeen();
  }

  /** Netty's decoder behind the head scanner. */
  final class Decoder extends HttpRequestDecoder {
    private final RequestHeadScanner scanner;

    /** Head bytes past the buffer's reader index that the scanner has seen already. */
    private int scannedAhead;

    private boolean inHead = true;
    private boolean failed;

    Decoder(HttpDecoderConfig config, int maxHeaderLine) {
      super(config);
      scanner = new RequestHeadScanner(maxHeaderLine);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out)
        throws Exception {
      if (failed) {
        buffer.skipBytes(buffer.readableBytes());
        return;
      }
      if (inHead && !scanner.done()) {
        int from = buffer.readerIndex() + scannedAhead;
        int stop = buffer.forEachByte(from, buffer.writerIndex() - from, scanner);
        scannedAhead = (stop < 0 ? buffer.writerIndex() : stop + 1) - buffer.readerIndex();
        RejectedRequestException rejection = scanner.rejection();
        if (rejection != null) {
          failed = true;
          buffer.skipBytes(buffer.readableBytes());
          out.add(invalidRequest(rejection));
          methods.add(HttpMethod.GET);
          return;
        }
      }
      int readerBefore = buffer.readerIndex();
      int firstNew = out.size();
      super.decode(ctx, buffer, out);
      scannedAhead = Math.max(0, scannedAhead - (buffer.readerIndex() - readerBefore));
      for (int i = firstNew; i < out.size(); i++) {
        Object decoded = out.get(i);
        if (decoded instanceof HttpRequest request) {
          methods.add(request.method());
          inHead = false;
        }
        if (decoded instanceof HttpObject http && http.decoderResult().isFailure()) {
          failed = true; // Netty drops the rest itself; the scanner must not look at it
        } else if (decoded instanceof LastHttpContent) {
          inHead = true;
          scannedAhead = 0;
          scanner.reset();
        }
      }
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      super.handleTransferEncodingChunkedWithContentLength(message);
      closeAfterResponse = true;
    }

    private static DefaultFullHttpRequest invalidRequest(RejectedRequestException cause) {
      DefaultFullHttpRequest request =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request", Unpooled.EMPTY_BUFFER);
      request.setDecoderResult(DecoderResult.failure(cause));
      return request;
    }
  }

  /** Netty's encoder, told the method of the request each final response answers. */
  final class Encoder extends HttpResponseEncoder {
    private HttpMethod answering;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
        throws Exception {
      if (msg instanceof HttpResponse response
          && response.status().codeClass() != HttpStatusClass.INFORMATIONAL
          && !HttpUtil.isKeepAlive(response)) {
        closeAfterResponse = true; // it says Connection: close, whoever wrote it
      }
      if (closeAfterResponse && msg instanceof LastHttpContent) {
        closeAfterResponse = false;
        promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
      }
      super.write(ctx, msg, promise);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      answering =
          msg.status().codeClass() == HttpStatusClass.INFORMATIONAL
              ? methods.peek()
              : methods.poll();
      return HttpMethod.HEAD.equals(answering) || super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
      if (!isAlwaysEmpty
          && HttpMethod.CONNECT.equals(answering)
          && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
        msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING); // a tunnel has no body framing
        return;
      }
      super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
    }
  }
}
