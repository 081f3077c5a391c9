package dev.wharf.dataplane.http;

import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * An endpoint's whole response, head and body, relayed to the client as one message. Its type says
 * who made it: every other {@code FullHttpResponse} on a client connection is the node's own (an
 * error, a fixed response, a redirect), and handlers that treat the two apart (the error pages,
 * which replace an endpoint's response only when the route intercepts errors) look for this class.
 */
public final class RelayedResponse extends DefaultFullHttpResponse {
  private RelayedResponse(HttpResponse head, LastHttpContent last) {
    super(
        head.protocolVersion(),
        head.status(),
        last.content(),
        head.headers(),
        last.trailingHeaders());
  }

  /**
   * {@code head} and {@code last} as one message. The body's reference passes to it: the caller
   * releases neither.
   */
  public static RelayedResponse of(HttpResponse head, LastHttpContent last) {
    return new RelayedResponse(head, last);
  }
}
