package dev.wharf.dataplane.exchange;

import io.netty.handler.codec.http.HttpContent;

/**
 * One request in flight on a client connection, from the dispatcher's side: a proxied exchange or a
 * file being sent. The dispatcher passes it what happens on the client connection until it calls
 * {@link ExchangeOwner#exchangeFinished}. Everything runs on the connection's event loop.
 */
public interface ClientExchange {
  /** Begins; called once, right after construction. */
  void start();

  /** A body part of the request, read because the exchange asked; forward it or release it. */
  void onClientContent(HttpContent content);

  /** The client connection's writability changed. */
  void onClientWritabilityChanged();

  /**
   * The client's body could not be decoded (a malformed chunk): the body parts before it are not
   * the whole body, and the connection cannot be read on. Nothing more comes from the client.
   */
  void onClientBodyMalformed();

  /** The client stopped sending its body (client_body_timeout). */
  void onClientBodyTimeout();

  /** The client connection closed. */
  void onClientClosed();
}
