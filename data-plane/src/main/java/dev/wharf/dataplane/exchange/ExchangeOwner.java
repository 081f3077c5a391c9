package dev.wharf.dataplane.exchange;

import dev.wharf.dataplane.http.RequestRecord;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/** The client connection's side of an exchange: what it must do when the exchange ends. */
public interface ExchangeOwner {
  /**
   * The exchange is over (response sent, failed, or the client left). Called once, on the client's
   * event loop; {@code keepAlive} says whether the next request may be read.
   */
  void exchangeFinished(RequestRecord record, boolean keepAlive);

  /** Asks for the next message from the client (its connection does not read on its own). */
  void readClient();

  /** Whether the response may keep the client connection open (not when the node drains). */
  boolean keepAliveAllowed();

  /** Whether the node told this connection to go away (a node drain) while it was busy. */
  boolean goingAway();

  /**
   * The endpoint accepted a WebSocket upgrade and its {@code 101} was written: turn both
   * connections' HTTP pipelines into a relay, {@code clientRelay} taking over the client connection
   * and {@code upstreamRelay} the {@code upstream} one. The relay's handlers go in before the HTTP
   * codecs leave, so bytes a codec still holds reach them.
   *
   * <p>From then on the owner no longer hears of the request: the relay runs what this returns when
   * the WebSocket ends, in place of {@link #exchangeFinished}. What it returns holds only what the
   * end of {@code record} needs, not the owner and its HTTP handlers, which the WebSocket would
   * otherwise keep alive for its whole life.
   */
  Runnable switchToRelay(
      Channel upstream,
      ChannelHandler clientRelay,
      ChannelHandler upstreamRelay,
      RequestRecord record);
}
