package dev.wharf.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The nginx variables Wharf knows, and when in a request's life each one has its value.
 *
 * <p>A template may only use variables known at the point where it is rendered: a hash key is
 * rendered before an endpoint is picked, so it cannot use {@code $upstream_addr}; a request header
 * cannot use {@code $status}. {@link Phase} orders those points.
 */
public final class Variables {
  /** When a variable gets its value; each phase also knows every earlier phase's variables. */
  public enum Phase {
    /** Known once the request head is read. */
    REQUEST,
    /** Known once an upstream endpoint is picked. */
    UPSTREAM,
    /** Known once the response (or all of it, for timings and byte counts) is there. */
    RESPONSE
  }

  private static final Map<String, Phase> NAMED =
      Map.ofEntries(
          Map.entry("remote_addr", Phase.REQUEST),
          Map.entry("remote_port", Phase.REQUEST),
          Map.entry("binary_remote_addr", Phase.REQUEST),
          Map.entry("proxy_protocol_addr", Phase.REQUEST),
          Map.entry("proxy_protocol_port", Phase.REQUEST),
          Map.entry("realip_remote_addr", Phase.REQUEST),
          Map.entry("realip_remote_port", Phase.REQUEST),
          Map.entry("remote_user", Phase.REQUEST),
          Map.entry("host", Phase.REQUEST),
          Map.entry("hostname", Phase.REQUEST),
          Map.entry("scheme", Phase.REQUEST),
          Map.entry("https", Phase.REQUEST),
          Map.entry("ssl_protocol", Phase.REQUEST),
          Map.entry("ssl_cipher", Phase.REQUEST),
          Map.entry("ssl_server_name", Phase.REQUEST),
          Map.entry("ssl_client_s_dn", Phase.REQUEST),
          Map.entry("ssl_client_verify", Phase.REQUEST),
          Map.entry("request", Phase.REQUEST),
          Map.entry("request_method", Phase.REQUEST),
          Map.entry("request_uri", Phase.REQUEST),
          Map.entry("uri", Phase.REQUEST),
          Map.entry("document_uri", Phase.REQUEST),
          Map.entry("args", Phase.REQUEST),
          Map.entry("query_string", Phase.REQUEST),
          Map.entry("is_args", Phase.REQUEST),
          Map.entry("server_addr", Phase.REQUEST),
          Map.entry("server_port", Phase.REQUEST),
          Map.entry("server_name", Phase.REQUEST),
          Map.entry("server_protocol", Phase.REQUEST),
          Map.entry("http2", Phase.REQUEST),
          Map.entry("request_id", Phase.REQUEST),
          Map.entry("proxy_add_x_forwarded_for", Phase.REQUEST),
          Map.entry("connection_upgrade", Phase.REQUEST),
          Map.entry("content_type", Phase.REQUEST),
          Map.entry("content_length", Phase.REQUEST),
          Map.entry("connection", Phase.REQUEST),
          Map.entry("connection_requests", Phase.REQUEST),
          Map.entry("msec", Phase.REQUEST),
          Map.entry("time_local", Phase.REQUEST),
          Map.entry("time_iso8601", Phase.REQUEST),
          Map.entry("upstream_addr", Phase.UPSTREAM),
          Map.entry("proxy_host", Phase.UPSTREAM),
          Map.entry("proxy_port", Phase.UPSTREAM),
          Map.entry("status", Phase.RESPONSE),
          Map.entry("body_bytes_sent", Phase.RESPONSE),
          Map.entry("bytes_sent", Phase.RESPONSE),
          Map.entry("request_length", Phase.RESPONSE),
          Map.entry("request_time", Phase.RESPONSE),
          Map.entry("upstream_status", Phase.RESPONSE),
          Map.entry("upstream_connect_time", Phase.RESPONSE),
          Map.entry("upstream_header_time", Phase.RESPONSE),
          Map.entry("upstream_response_time", Phase.RESPONSE));

  /** Families named by a prefix and a header, cookie or argument name: {@code $http_user_agent}. */
  private static final Map<String, Phase> FAMILIES =
      Map.of(
          "http_", Phase.REQUEST,
          "cookie_", Phase.REQUEST,
          "arg_", Phase.REQUEST,
          "sent_http_", Phase.RESPONSE,
          "upstream_http_", Phase.RESPONSE);

  private Variables() {}

  /** The phase of {@code name} (without {@code $}, any case), or empty when no such variable. */
  public static Optional<Phase> phaseOf(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    Phase named = NAMED.get(lower);
    if (named != null) {
      return Optional.of(named);
    }
    // Longest family prefix first, so "upstream_http_x" is not read as a missing "upstream_".
    return FAMILIES.entrySet().stream()
        .filter(e -> lower.startsWith(e.getKey()) && lower.length() > e.getKey().length())
        .max(java.util.Comparator.comparingInt(e -> e.getKey().length()))
        .map(Map.Entry::getValue);
  }
}
