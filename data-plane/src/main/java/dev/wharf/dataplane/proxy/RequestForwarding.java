package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.exchange.ExchangeOwner;
import dev.wharf.dataplane.exchange.RoutedRequest;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The request side of a {@link ProxyExchange}: sends the head to each endpoint tried and the body
 * as the client sends it, reading the client only while the endpoint takes more. It knows how far
 * the request got, whatever the exchange's phase: these facts outlive an attempt (a body read is
 * not read again, {@code 100 Continue} is sent once) and decide whether the request may be retried
 * (a forwarded body byte cannot be replayed).
 *
 * <p>Confined to the exchange's event loop.
 */
final class RequestForwarding {
  private final ChannelHandlerContext client;
  private final RoutedRequest routed;
  private final ProxyTarget target;
  private final ExchangeOwner owner;
  private final UpstreamDeadlines deadlines;
  private final boolean webSocket;
  private boolean bodyRead;
  private boolean bodyForwarded;
  private boolean continueSent;
  private boolean clientReadWanted;
  private boolean headUnflushed;
  private HttpContent early;

  RequestForwarding(
      ChannelHandlerContext client,
      RoutedRequest routed,
      ProxyTarget target,
      ExchangeOwner owner,
      UpstreamDeadlines deadlines,
      boolean webSocket) {
    this.client = client;
    this.routed = routed;
    this.target = target;
    this.owner = owner;
    this.deadlines = deadlines;
    this.webSocket = webSocket;
    // A request that comes whole (an error page's internal request) has no body to read: asking
    // the client for one would read its next pipelined request while this one is in flight.
    this.bodyRead = routed.request() instanceof LastHttpContent;
  }

  /** The last part of the body was read from the client and forwarded. */
  boolean bodyRead() {
    return bodyRead;
  }

  /**
   * The client sent, or will send, nothing more of this request than the end the decoder marks: it
   * was read whole, or it declares no body (no Transfer-Encoding, no or a zero Content-Length). The
   * client connection can then go on after an error answered before the request went upstream, as
   * nginx's does after a 502 to a GET; a body not read yet would have to be read away first.
   */
  boolean nothingLeftToRead() {
    HttpRequest request = routed.request();
    return bodyRead
        || !request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
            && HttpUtil.getContentLength(request, 0L) == 0;
  }

  /** A byte of the body went to an endpoint. */
  boolean bodyForwarded() {
    return bodyForwarded;
  }

  /**
   * Sends the request head to a newly connected endpoint, with the end of the body when it was read
   * already (a retry); else answers {@code 100 Continue} if the client waits for it (once) and
   * forwards the body part that came {@link #early}, or asks the client for one; the head is
   * flushed with the first part when the client had sent it already, else alone. Then reads {@code
   * up}: an endpoint may answer before the body is complete (an early 413, say).
   *
   * @return false when the early body part took the body over the route's limit
   */
  boolean sendHead(Channel up) {
    HttpRequest request = routed.request();
    up.write(
        UpstreamRequests.build(
            request, routed.target(), target, routed.groups(), routed.record(), webSocket));
    if (bodyRead) {
      up.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
      deadlines.awaitResponse();
    } else {
      if (HttpUtil.is100ContinueExpected(request) && !continueSent) {
        continueSent = true;
        client.writeAndFlush(
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
      }
      HttpContent first = early;
      early = null;
      headUnflushed = true;
      if (first == null) {
        // A part the client sent already (always the end of a request without a body) comes
        // now, and its flush takes the head along: one flush of the endpoint's connection.
        owner.readClient();
      } else if (!forward(first, up)) {
        return false;
      }
      if (headUnflushed) {
        headUnflushed = false;
        up.flush(); // no part yet: the head goes alone
      }
    }
    up.read();
    return true;
  }

  /**
   * Keeps a body part that arrived while no endpoint was connected: asked for by an attempt that
   * failed before any body byte left, it is the first part the next attempt forwards. At most one,
   * as the client is read one message per ask.
   */
  void early(HttpContent content) {
    discardEarly();
    early = content;
  }

  /** Releases the body part kept for a next attempt that will not come. */
  void discardEarly() {
    if (early != null) {
      early.release();
      early = null;
    }
  }

  /**
   * Forwards a body part to {@code up} and asks for the next one while {@code up} is writable.
   *
   * @return false, with {@code content} released, when the body went over the route's limit
   */
  boolean forward(HttpContent content, Channel up) {
    int bytes = content.content().readableBytes();
    routed.record().bodyReceived(bytes);
    if (routed.maxBodySize() > 0 && routed.record().requestBodyBytes() > routed.maxBodySize()) {
      content.release();
      return false;
    }
    bodyForwarded |= bytes > 0;
    headUnflushed = false;
    up.writeAndFlush(content);
    if (content instanceof LastHttpContent) {
      bodyRead = true;
      deadlines.sendUnblocked();
      deadlines.awaitResponse();
    } else if (up.isWritable()) {
      owner.readClient();
    } else {
      clientReadWanted = true;
      deadlines.sendBlocked();
    }
    return true;
  }

  /** The endpoint's connection took its buffers, or stopped taking them. */
  void upstreamWritabilityChanged(boolean writable) {
    if (!writable) {
      if (!bodyRead) {
        deadlines.sendBlocked();
      }
      return;
    }
    deadlines.sendUnblocked();
    if (clientReadWanted) {
      clientReadWanted = false;
      owner.readClient();
    }
  }
}
