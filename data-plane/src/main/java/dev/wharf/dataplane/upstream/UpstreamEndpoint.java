package dev.wharf.dataplane.upstream;

import dev.wharf.dataplane.tls.UpstreamTlsClient;
import java.net.InetSocketAddress;

/**
 * One endpoint of a compiled upstream.
 *
 * @param address as written in the config ({@code 10.0.0.5:8080}); the key of the node's connection
 *     pools and counters, and the value of {@code $upstream_addr}
 * @param socketAddress resolved when the snapshot was compiled (never on an event loop)
 * @param weight relative share, at least 1
 * @param tls the upstream's TLS client, or null for plain HTTP
 */
public record UpstreamEndpoint(
    String upstream,
    String address,
    InetSocketAddress socketAddress,
    int weight,
    EndpointStats stats,
    UpstreamTlsClient tls) {
  /** An endpoint spoken to in plain HTTP. */
  public UpstreamEndpoint(
      String upstream,
      String address,
      InetSocketAddress socketAddress,
      int weight,
      EndpointStats stats) {
    this(upstream, address, socketAddress, weight, stats, null);
  }

  /** The host as written in the address (a name or an IP literal): the default TLS peer name. */
  public String host() {
    return socketAddress.getHostString();
  }

  @Override
  public String toString() {
    return address;
  }
}
