package dev.wharf.dataplane.server;

import dev.wharf.dataplane.http2.StreamBytes;
import dev.wharf.dataplane.websocket.WebSocketRelay;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

/**
 * The pipelines of a client and an upstream connection after the endpoint's {@code 101}: the HTTP
 * handlers leave both, and each gets the relay's handler for its side. The relay's handlers go in
 * before the codecs leave, so bytes a codec still holds reach them.
 */
final class WebSocketRelayPipeline {
  static final String STREAM_BYTES = "h2-stream-bytes";

  private WebSocketRelayPipeline() {}

  /**
   * On an HTTP/2 stream ({@link #installOnStream}) or an HTTP/1.1 connection ({@link #install}).
   */
  static void install(
      boolean http2,
      ChannelPipeline client,
      ChannelHandler dispatcher,
      ChannelHandler clientRelay,
      ChannelPipeline upstream,
      ChannelHandler upstreamRelay) {
    if (http2) {
      installOnStream(client, dispatcher, clientRelay, upstream, upstreamRelay);
    } else {
      install(client, dispatcher, clientRelay, upstream, upstreamRelay);
    }
  }

  /**
   * @param client the client connection's pipeline, built by {@link HttpFrontendInitializer}
   * @param dispatcher the client's request dispatcher, which the client relay replaces
   * @param upstream the upstream connection's pipeline, built by {@link UpstreamHttpPipeline}
   */
  static void install(
      ChannelPipeline client,
      ChannelHandler dispatcher,
      ChannelHandler clientRelay,
      ChannelPipeline upstream,
      ChannelHandler upstreamRelay) {
    upstream.replace(UpstreamHttpPipeline.CONNECTION, WebSocketRelay.HANDLER, upstreamRelay);
    upstream.remove(UpstreamHttpPipeline.HTTP_CODEC);
    client.remove(HttpFrontendInitializer.TIMEOUTS);
    client.remove(HttpFrontendInitializer.FLOW_CONTROL);
    ResponseHandlers.remove(client);
    client.replace(dispatcher, WebSocketRelay.HANDLER, clientRelay);
    client.remove(HttpFrontendInitializer.HTTP_CODEC);
  }

  /**
   * The same for a WebSocket on an HTTP/2 stream (RFC 8441): the stream's pipeline, built by {@link
   * Http2FrontendPipeline}, loses its HTTP handlers and its DATA frames become the relay's bytes.
   */
  static void installOnStream(
      ChannelPipeline stream,
      ChannelHandler dispatcher,
      ChannelHandler clientRelay,
      ChannelPipeline upstream,
      ChannelHandler upstreamRelay) {
    upstream.replace(UpstreamHttpPipeline.CONNECTION, WebSocketRelay.HANDLER, upstreamRelay);
    upstream.remove(UpstreamHttpPipeline.HTTP_CODEC);
    stream.remove(HttpFrontendInitializer.TIMEOUTS);
    stream.remove(HttpFrontendInitializer.FLOW_CONTROL);
    ResponseHandlers.remove(stream);
    stream.replace(dispatcher, WebSocketRelay.HANDLER, clientRelay);
    stream.remove(Http2FrontendPipeline.STREAM_HEADS);
    stream.replace(Http2FrontendPipeline.STREAM_CODEC, STREAM_BYTES, new StreamBytes());
    stream.remove(Http2FrontendPipeline.EXTENDED_CONNECT);
  }
}
