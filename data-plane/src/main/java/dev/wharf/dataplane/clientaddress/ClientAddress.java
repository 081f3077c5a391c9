package dev.wharf.dataplane.clientaddress;

import java.net.InetSocketAddress;

/**
 * The addresses of one request's client, as the variables show them.
 *
 * @param remote {@code $remote_addr} / {@code $remote_port}: the client as far as Wharf can trust
 *     (after the PROXY header and the real-IP header); port 0 when a header gave no port
 * @param peer {@code $realip_remote_addr} / {@code $realip_remote_port}: the other end of the TCP
 *     connection, whatever headers said
 * @param proxyProtocol {@code $proxy_protocol_addr} / {@code $proxy_protocol_port}: the source in
 *     the PROXY header, or null when there was none (or it carried no address)
 */
public record ClientAddress(
    InetSocketAddress remote, InetSocketAddress peer, InetSocketAddress proxyProtocol) {

  /** A client seen directly: the peer is the client. */
  public static ClientAddress direct(InetSocketAddress peer) {
    return new ClientAddress(peer, peer, null);
  }
}
