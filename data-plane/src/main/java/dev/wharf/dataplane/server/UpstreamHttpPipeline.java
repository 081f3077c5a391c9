package dev.wharf.dataplane.server;

import dev.wharf.dataplane.upstream.UpstreamConnection;
import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import dev.wharf.dataplane.upstream.UpstreamPipeline;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * The pipeline of a connection to an endpoint, in the order a response meets it: TLS when the
 * upstream has {@code tls} (it stays when a WebSocket relay takes the connection), the HTTP/1.1
 * client codec, then the connection's own handler, which hands each message to the exchange using
 * it. Handler names are constants so the WebSocket switch can find them.
 */
final class UpstreamHttpPipeline implements UpstreamPipeline {
  static final String TLS = "tls";
  static final String HTTP_CODEC = "http-codec";
  static final String CONNECTION = "upstream";

  /** The largest response head accepted from an endpoint (nginx proxy_buffer_size is 4-8k). */
  private static final int MAX_RESPONSE_HEAD = 64 * 1024;

  @Override
  public void init(ChannelPipeline pipeline, UpstreamConnection connection) {
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxHeaderSize(MAX_RESPONSE_HEAD)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);
    UpstreamEndpoint endpoint = connection.endpoint();
    if (endpoint.tls() != null) {
      pipeline.addLast(
          TLS,
          endpoint
              .tls()
              .newHandler(
                  pipeline.channel().alloc(), endpoint.host(), endpoint.socketAddress().getPort()));
    }
    pipeline
        .addLast(HTTP_CODEC, new HttpClientCodec(decoder, false, false))
        .addLast(CONNECTION, connection);
  }
}
