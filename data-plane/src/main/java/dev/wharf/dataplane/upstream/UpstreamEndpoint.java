package dev.wharf.dataplane.upstream;

import java.net.InetSocketAddress;

/**
 * One endpoint of a compiled upstream.
 *
 * @param address as written in the config ({@code 10.0.0.5:8080}); the key of the node's connection
 *     pools and counters, and the value of {@code $upstream_addr}
 * @param socketAddress resolved when the snapshot was compiled (never on an event loop)
 * @param weight relative share, at least 1
 */
public record UpstreamEndpoint(
    String upstream,
    String address,
    InetSocketAddress socketAddress,
    int weight,
    EndpointStats stats) {
  @Override
  public String toString() {
    return address;
  }
}
