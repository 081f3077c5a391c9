package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.exchange.ExchangeOwner;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.HopByHop;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.Responses;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Clock;

/**
 * The response side of a {@link ProxyExchange}: relays the endpoint's final response to the client,
 * head then body, and reads the endpoint only while the client takes more. Decides the keep-alive
 * of both connections from the response head. Makes the error Wharf answers when the endpoint gave
 * no response.
 *
 * <p>Confined to the exchange's event loop.
 */
final class ResponseForwarding {
  private final ChannelHandlerContext client;
  private final RoutedRequest routed;
  private final ExchangeOwner owner;
  private final Clock clock;
  private final LocationRewrites locationRewrites;
  private boolean upstreamKeepAlive;
  private boolean clientKeepAlive;
  private boolean upstreamReadWanted;

  ResponseForwarding(
      ChannelHandlerContext client,
      RoutedRequest routed,
      ProxyTarget target,
      ExchangeOwner owner,
      ProxyServices services) {
    this.client = client;
    this.routed = routed;
    this.owner = owner;
    this.clock = services.node().clock();
    this.locationRewrites = target.locationRewrites();
  }

  /**
   * Writes the final response head, rewritten for the client (framing, hop-by-hop headers, the
   * Location rewrites, the route's response headers), without flushing: the end of the read
   * flushes.
   *
   * @param bodyRead the request body was read whole: the client connection may be kept
   */
  void head(HttpResponse response, boolean bodyRead) {
    HttpRequest request = routed.request();
    RequestRecord record = routed.record();
    int stripped = HopByHop.strip(response);
    upstreamKeepAlive = HopByHop.keepsAlive(response.protocolVersion(), stripped);
    clientKeepAlive = HttpUtil.isKeepAlive(request) && bodyRead && owner.keepAliveAllowed();
    clientKeepAlive =
        ClientResponseHeads.prepare(response, stripped, request, clientKeepAlive, clock.millis());
    locationRewrites.apply(response.headers(), record);
    record.responded(response.status().code(), response.headers());
    routed
        .responseHeaders()
        .applyToResponse(response.headers(), response.status().code(), record, routed.groups());
    client.write(response);
  }

  /**
   * A short error for the client, in place of a response the endpoint did not give; recorded as the
   * response sent. Not written: the exchange ends first.
   */
  FullHttpResponse error(HttpResponseStatus status, boolean keepAlive) {
    FullHttpResponse error =
        Responses.error(
            client.alloc(),
            status,
            routed.request().method().equals(HttpMethod.HEAD),
            !keepAlive,
            clock.instant());
    routed.record().responded(status.code(), error.headers());
    routed.record().bodySent(error.content().readableBytes()); // $body_bytes_sent, as nginx's
    routed
        .responseHeaders()
        .applyToResponse(error.headers(), status.code(), routed.record(), routed.groups());
    return error;
  }

  /** Writes an {@link #error}, then closes the client connection unless it is kept alive. */
  void sendError(FullHttpResponse error, boolean keepAlive) {
    ChannelFuture written = client.writeAndFlush(error);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Relays a body part; the end of the read flushes it. */
  void content(HttpContent content) {
    routed.record().bodySent(content.content().readableBytes());
    client.write(content);
  }

  /** Relays the end of the body, flushed at once. */
  void last(LastHttpContent last) {
    routed.record().bodySent(last.content().readableBytes());
    client.writeAndFlush(last);
  }

  /** The endpoint said the connection may serve another request. */
  boolean upstreamKeepAlive() {
    return upstreamKeepAlive;
  }

  /** The client connection may read another request after this response. */
  boolean clientKeepAlive() {
    return clientKeepAlive;
  }

  /** One read from {@code up} ended: flush, and read more if the client can take it. */
  void readComplete(Channel up) {
    client.flush();
    if (client.channel().isWritable()) {
      up.read();
    } else {
      upstreamReadWanted = true;
    }
  }

  /** The client connection's writability changed: read {@code up} again if it waited. */
  void clientWritabilityChanged(Channel up) {
    if (upstreamReadWanted && client.channel().isWritable()) {
      upstreamReadWanted = false;
      up.read();
    }
  }
}
