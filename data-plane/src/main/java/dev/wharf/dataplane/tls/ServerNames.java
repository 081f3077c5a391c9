package dev.wharf.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The SNI table of one listener: exact names first, then wildcards ({@code *.example.com} covers
 * exactly one more label: {@code a.example.com}, not {@code example.com} nor {@code
 * b.a.example.com}), then the default, which is null when unknown names are refused.
 *
 * <p>Immutable; built off the event loops and read by handshakes on any thread.
 */
final class ServerNames {
  private final Map<String, SslContext> exact = new HashMap<>();
  private final Map<String, SslContext> wildcards = new HashMap<>();
  private final SslContext fallback;

  /**
   * @param names name or {@code *.suffix} to context; the first context given for a name keeps it
   * @param fallback for clients without SNI or with an unknown name; null to refuse them
   */
  ServerNames(Map<String, SslContext> names, SslContext fallback) {
    names.forEach(
        (name, context) -> {
          String n = name.toLowerCase(Locale.ROOT);
          if (n.startsWith("*.")) {
            wildcards.putIfAbsent(n.substring(2), context);
          } else {
            exact.putIfAbsent(n, context);
          }
        });
    this.fallback = fallback;
  }

  /** The context for {@code serverName} (null: no SNI), or null to refuse the handshake. */
  SslContext select(String serverName) {
    if (serverName == null || serverName.isEmpty()) {
      return fallback;
    }
    String name = serverName.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    SslContext found = exact.get(name);
    if (found != null) {
      return found;
    }
    int dot = name.indexOf('.');
    if (dot > 0) {
      found = wildcards.get(name.substring(dot + 1));
      if (found != null) {
        return found;
      }
    }
    return fallback;
  }
}
