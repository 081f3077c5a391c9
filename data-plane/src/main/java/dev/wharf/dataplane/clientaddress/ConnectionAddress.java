package dev.wharf.dataplane.clientaddress;

import java.net.InetSocketAddress;

/**
 * What one connection knows of its client: the peer, and, once read, the PROXY header's source.
 * Confined to the connection's event loop.
 */
final class ConnectionAddress {
  final InetSocketAddress peer;
  final boolean proxyIsRemote;
  final RealIpPolicy realIp;
  private InetSocketAddress proxySource;
  private ClientAddress unchanged;

  /**
   * @param proxyIsRemote whether a PROXY source replaces the peer as {@code $remote_addr}
   * @param realIp the listener's real_ip, or null for none
   */
  ConnectionAddress(InetSocketAddress peer, boolean proxyIsRemote, RealIpPolicy realIp) {
    this.peer = peer;
    this.proxyIsRemote = proxyIsRemote;
    this.realIp = realIp;
  }

  void proxySource(InetSocketAddress source) {
    this.proxySource = source;
    this.unchanged = null;
  }

  /**
   * The client of every request on this connection when no request header can change it (no
   * real_ip): one object per connection rather than one per request.
   */
  ClientAddress unchangedClient() {
    if (unchanged == null) {
      unchanged = new ClientAddress(connectionClient(), peer, proxySource);
    }
    return unchanged;
  }

  InetSocketAddress proxySource() {
    return proxySource;
  }

  /** The client before any request header is believed. */
  InetSocketAddress connectionClient() {
    return proxyIsRemote && proxySource != null ? proxySource : peer;
  }
}
