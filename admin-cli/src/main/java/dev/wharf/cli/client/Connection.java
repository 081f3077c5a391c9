package dev.wharf.cli.client;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the Admin API is and how to authenticate, resolved from flags, environment and context;
 * each {@code ...From} says where a setting came from, so an error can say what to fix ({@code
 * --server}, {@code WHARF_SERVER}, {@code context 'prod' in FILE}...).
 */
public record Connection(
    List<String> servers,
    String serversFrom,
    Optional<String> token,
    String tokenFrom,
    Optional<Path> tlsCa) {
  public Connection {
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("servers: empty (expected at least one)");
    }
  }

  @Override
  public String toString() {
    return "Connection[servers="
        + servers
        + ", token="
        + (token.isPresent() ? "****" : "none")
        + ", tlsCa="
        + tlsCa.map(Path::toString).orElse("none")
        + "]";
  }
}
