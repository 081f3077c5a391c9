package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.http.RequestRecord;
import io.netty.channel.ChannelHandler;

/** The client connection's side of an exchange: what it must do when the exchange ends. */
public interface ExchangeOwner {
  /**
   * The exchange is over (response sent, failed, or the client left). Called once, on the
   * client's event loop; {@code keepAlive} says whether the next request may be read.
   */
  void exchangeFinished(RequestRecord record, boolean keepAlive);

  /** Asks for the next message from the client (its connection does not read on its own). */
  void readClient();

  /** Whether the response may keep the client connection open (not when the node drains). */
  boolean keepAliveAllowed();

  /** Whether the node told this connection to go away (a node drain) while it was busy. */
  boolean goingAway();

  /**
   * The endpoint accepted a WebSocket upgrade and its {@code 101} was written: replace the
   * client connection's HTTP handlers with {@code relay}, which takes over the socket. The relay
   * must be in place before the HTTP codec leaves, so bytes the codec holds reach it.
   */
  void replaceHttpHandlers(String name, ChannelHandler relay);
}
