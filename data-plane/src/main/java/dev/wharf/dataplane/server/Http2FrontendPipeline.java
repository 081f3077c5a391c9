package dev.wharf.dataplane.server;

import dev.wharf.config.Http2Options;
import dev.wharf.dataplane.compression.ResponseCompressor;
import dev.wharf.dataplane.http.ClientProtocol;
import dev.wharf.dataplane.http2.ExtendedConnect;
import dev.wharf.dataplane.http2.Http2Codecs;
import dev.wharf.dataplane.http2.StreamErrors;
import dev.wharf.dataplane.http2.StreamHeads;
import dev.wharf.proto.config.v1.Listener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.stream.ChunkedWriteHandler;

/**
 * The pipelines of an HTTP/2 client connection, beside the HTTP/1.1 ones of {@link
 * HttpFrontendInitializer}: Netty's frame codec and stream multiplexer on the connection, and on
 * each stream a pipeline that turns its frames into the HTTP objects an exchange reads, so every
 * stream is dispatched by its own {@link RequestDispatcher} exactly like an HTTP/1.1 request.
 *
 * <p>The connection reads on its own: a stream's body is held back by its flow-control window,
 * which opens only as the stream's dispatcher reads (a stream channel does not read on its own).
 */
final class Http2FrontendPipeline {
  static final String FRAME_CODEC = "h2-frame-codec";
  static final String MULTIPLEXER = "h2-multiplexer";
  static final String GUARD = "h2-connection";

  /** Stream pipeline names; the WebSocket switch replaces the HTTP ones. */
  static final String STREAM_ERRORS = "h2-stream-errors";

  static final String EXTENDED_CONNECT = "h2-extended-connect";

  static final String STREAM_CODEC = "h2-stream-codec";
  static final String STREAM_HEADS = "h2-stream-heads";

  private Http2FrontendPipeline() {}

  /** Turns {@code connection}, whose client chose HTTP/2, into an HTTP/2 server connection. */
  static void install(
      Channel connection,
      ListenerContext context,
      Listener config,
      Http2Options options,
      ClientProtocol protocol) {
    ClientProtocol.set(connection, protocol);
    ChannelPipeline p = connection.pipeline();
    Http2FrameCodec codec = Http2Codecs.server(options);
    p.addLast(FRAME_CODEC, codec);
    p.addLast(MULTIPLEXER, new Http2MultiplexHandler(new Streams(context, config, options)));
    long idleNanos = ClientTimeouts.http2IdleNanos(config);
    p.addLast(
        GUARD,
        new Http2ConnectionGuard(
            context.name(),
            context.services().node().metrics(),
            context.services().node().ticker(),
            codec,
            idleNanos,
            options.connectionWindow()));
    connection.config().setAutoRead(true);
  }

  /** The pipeline of each stream the client opens. */
  private static final class Streams extends ChannelInitializer<Http2StreamChannel> {
    private final ListenerContext context;
    private final Listener config;
    private final Http2Options options;

    Streams(ListenerContext context, Listener config, Http2Options options) {
      this.context = context;
      this.config = config;
      this.options = options;
    }

    @Override
    protected void initChannel(Http2StreamChannel stream) {
      stream.config().setAutoRead(false);
      ChannelPipeline p = stream.pipeline();
      p.addLast(STREAM_ERRORS, new StreamErrors());
      p.addLast(EXTENDED_CONNECT, new ExtendedConnect(options.webSocket()));
      p.addLast(STREAM_CODEC, new Http2StreamFrameToHttpObjectCodec(true, true));
      p.addLast(STREAM_HEADS, new StreamHeads());
      ClientTimeouts timeouts = new ClientTimeouts(config, context.services().node().ticker());
      p.addLast(HttpFrontendInitializer.TIMEOUTS, timeouts);
      ResponseCompressor compressor = new ResponseCompressor();
      p.addLast(HttpFrontendInitializer.COMPRESSION, compressor);
      p.addLast(HttpFrontendInitializer.CHUNKED_WRITER, new ChunkedWriteHandler());
      p.addLast(HttpFrontendInitializer.FLOW_CONTROL, new FlowControlHandler());
      p.addLast(
          HttpFrontendInitializer.DISPATCHER,
          new RequestDispatcher(
              context, timeouts, ResponseHandlers.present(compressor), ClientProtocol.of(stream)));
    }
  }
}
