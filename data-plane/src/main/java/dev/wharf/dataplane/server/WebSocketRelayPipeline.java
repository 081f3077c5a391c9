package dev.wharf.dataplane.server;

import dev.wharf.dataplane.websocket.WebSocketRelay;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;

/**
 * The pipelines of a client and an upstream connection after the endpoint's {@code 101}: the HTTP
 * handlers leave both, and each gets the relay's handler for its side. The relay's handlers go in
 * before the codecs leave, so bytes a codec still holds reach them.
 */
final class WebSocketRelayPipeline {
  private WebSocketRelayPipeline() {}

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
    client.remove(HttpFrontendInitializer.KEEP_ALIVE);
    client.remove(HttpFrontendInitializer.CHUNKED_WRITER);
    client.remove(HttpFrontendInitializer.COMPRESSION);
    client.replace(dispatcher, WebSocketRelay.HANDLER, clientRelay);
    client.remove(HttpFrontendInitializer.HTTP_CODEC);
  }
}
