package dev.wharf.dataplane.clientaddress;

import dev.wharf.proto.config.v1.Listener;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * The one home of a client's address. A connection learns at accept what its listener believes
 * ({@link #attach}); the PROXY handler adds the header's source; each request then {@link #resolve
 * resolves} its {@link ClientAddress} once, applying the listener's {@code real_ip} to its own
 * headers. Confined to the connection's event loop.
 */
public final class ClientAddresses {
  private static final AttributeKey<ConnectionAddress> KEY =
      AttributeKey.valueOf(ClientAddresses.class, "client-address");

  private ClientAddresses() {}

  /** Records what {@code channel}'s listener (its config when accepted) believes. */
  public static void attach(Channel channel, Listener config) {
    if (!(channel.remoteAddress() instanceof InetSocketAddress peer)) {
      return; // an embedded channel in a handler test: no address to speak of
    }
    boolean proxyIsRemote =
        !config.getProxyProtocol().hasUseAsRemoteAddr()
            || config.getProxyProtocol().getUseAsRemoteAddr();
    RealIpPolicy realIp = config.hasRealIp() ? RealIpPolicy.of(config.getRealIp()) : null;
    channel.attr(KEY).set(new ConnectionAddress(peer, proxyIsRemote, realIp));
  }

  /** The addresses of {@code request}'s client; null when the channel has no IP peer. */
  public static ClientAddress resolve(Channel channel, HttpRequest request) {
    ConnectionAddress connection = of(channel);
    if (connection == null) {
      return channel.remoteAddress() instanceof InetSocketAddress peer
          ? ClientAddress.direct(peer)
          : null;
    }
    if (connection.realIp == null) {
      return connection.unchangedClient();
    }
    InetSocketAddress client = connection.connectionClient();
    InetSocketAddress remote = connection.realIp.apply(client, request.headers());
    return new ClientAddress(remote, connection.peer, connection.proxySource());
  }

  static ConnectionAddress of(Channel channel) {
    return channel.attr(KEY).get();
  }
}
