package dev.wharf.cli.nginx;

import java.util.Set;

/**
 * What the importer knows about nginx directives it does not translate itself: which need nothing
 * in Wharf and which Wharf cannot do, each with the reason the report gives. The translator decides
 * about the directives it uses; {@link #sweep} decides about the rest. A directive nobody here
 * knows is reported as not translated, never dropped.
 */
final class Catalog {
  // Reasons shared by the prefix rules below and the tables in NotNeededDirectives and
  // NotTranslatedDirectives.
  static final String FASTCGI =
      "settings for FastCGI, uwsgi or SCGI, which no translated location uses";
  static final String TLS = "not configurable for Wharf listeners";
  static final String NO_CACHE = "Wharf does not cache responses";
  static final String NO_LIMITS =
      "Wharf limits neither the response rate nor the requests per connection";

  /** Directives the translator itself decides about, wherever they are. */
  private static final Set<String> HANDLED =
      Set.of(
          "http",
          "server",
          "location",
          "upstream",
          "map",
          "include",
          "listen",
          "server_name",
          "proxy_pass",
          "rewrite",
          "return",
          "root",
          "alias",
          "index",
          "try_files",
          "types",
          "default_type",
          "proxy_set_header",
          "add_header",
          "proxy_hide_header",
          "error_page",
          "proxy_intercept_errors",
          "recursive_error_pages",
          "proxy_http_version",
          "proxy_connect_timeout",
          "proxy_read_timeout",
          "proxy_send_timeout",
          "proxy_next_upstream",
          "proxy_next_upstream_tries",
          "proxy_next_upstream_timeout",
          "client_header_timeout",
          "client_body_timeout",
          "keepalive_timeout",
          "send_timeout",
          "client_max_body_size",
          "large_client_header_buffers",
          "gzip",
          "gzip_types",
          "gzip_min_length",
          "gzip_comp_level",
          "gzip_proxied",
          "gzip_static",
          "access_log",
          "log_format",
          "least_conn",
          "hash",
          "ip_hash",
          "random",
          "keepalive",
          "keepalive_requests",
          "zone",
          "auth_basic",
          "auth_basic_user_file",
          "auth_request",
          "allow",
          "deny",
          "satisfy",
          "internal",
          "limit_except",
          "underscores_in_headers",
          "http2",
          "http2_max_concurrent_streams",
          "http2_body_preread_size",
          "ssl_certificate",
          "ssl_certificate_key",
          "ssl_protocols",
          "ssl_ciphers",
          "ssl_prefer_server_ciphers",
          "ssl_session_cache",
          "ssl_session_timeout",
          "ssl_session_tickets",
          "ssl_session_ticket_key",
          "ssl_stapling",
          "ssl_stapling_file",
          "ssl_client_certificate",
          "ssl_verify_client",
          "ssl_verify_depth",
          "ssl_buffer_size",
          "ssl_reject_handshake");

  /** TLS settings that only matter where a {@code listen ... ssl} uses them. */
  private static final Set<String> TLS_SETTINGS =
      Set.of(
          "ssl_certificate",
          "ssl_certificate_key",
          "ssl_protocols",
          "ssl_ciphers",
          "ssl_prefer_server_ciphers",
          "ssl_session_cache",
          "ssl_session_timeout",
          "ssl_session_tickets",
          "ssl_session_ticket_key",
          "ssl_stapling",
          "ssl_stapling_file",
          "ssl_stapling_verify",
          "ssl_client_certificate",
          "ssl_verify_client",
          "ssl_verify_depth",
          "ssl_buffer_size",
          "ssl_reject_handshake");

  /** Settings that only matter where something translated uses them. */
  private static final Set<String> SETTINGS =
      Set.of(
          "proxy_set_header",
          "add_header",
          "proxy_hide_header",
          "error_page",
          "proxy_intercept_errors",
          "proxy_http_version",
          "proxy_connect_timeout",
          "proxy_read_timeout",
          "proxy_send_timeout",
          "proxy_next_upstream",
          "proxy_next_upstream_tries",
          "proxy_next_upstream_timeout",
          "client_header_timeout",
          "client_body_timeout",
          "keepalive_timeout",
          "send_timeout",
          "client_max_body_size",
          "large_client_header_buffers",
          "root",
          "index",
          "types",
          "default_type",
          "gzip",
          "gzip_types",
          "gzip_min_length",
          "gzip_comp_level",
          "gzip_proxied",
          "gzip_static",
          "access_log",
          "underscores_in_headers",
          "http2",
          "http2_max_concurrent_streams",
          "http2_body_preread_size");

  /**
   * Verdicts on directives by name, from {@link NotNeededDirectives} and {@link
   * NotTranslatedDirectives}.
   */
  private static final DirectiveTable FIXED = new DirectiveTable();

  static {
    NotNeededDirectives.addTo(FIXED);
    NotTranslatedDirectives.addTo(FIXED);
  }

  private Catalog() {}

  /** True for every directive name the importer knows, translated or not. */
  static boolean isKnown(String name) {
    return HANDLED.contains(name) || FIXED.contains(name) || prefixRule(name) != null;
  }

  /**
   * The verdict on a directive the translator did not decide about: the table's, "not needed" for a
   * setting nothing translated uses, "not translated" for anything else.
   */
  static Verdict sweep(Directive d) {
    switch (d.name()) {
      case "proxy_redirect" -> {
        return Verdict.notNeeded("no proxied location here uses it");
      }
      case "recursive_error_pages" -> {
        return d.arg(0).equals("off")
            ? Verdict.notNeeded("Wharf follows one error page at most, as this says")
            : Verdict.notTranslated(
                "Wharf follows one error page at most: the page's own error is answered plain");
      }
      case "gzip_vary" -> {
        return d.arg(0).equals("on")
            ? Verdict.notNeeded(
                "Wharf always sends Vary: Accept-Encoding with compressed " + "responses")
            : Verdict.notTranslated(
                "Wharf always sends Vary: Accept-Encoding with compressed " + "responses");
      }
      case "gzip_http_version" -> {
        return d.arg(0).equals("1.0")
            ? Verdict.notNeeded("Wharf compresses for HTTP/1.0 clients too")
            : Verdict.notTranslated("Wharf compresses for HTTP/1.0 clients too");
      }
      default -> {}
    }
    Verdict fixed = FIXED.get(d.name());
    if (fixed != null) {
      return fixed;
    }
    Verdict prefixed = prefixRule(d.name());
    if (prefixed != null) {
      return prefixed;
    }
    if (SETTINGS.contains(d.name())) {
      return Verdict.notNeeded("no translated route or listener uses it");
    }
    return Verdict.notTranslated("wharfctl import-nginx does not know this directive");
  }

  private static Verdict prefixRule(String name) {
    if (name.startsWith("fastcgi_") || name.startsWith("uwsgi_") || name.startsWith("scgi_")) {
      return Verdict.notNeeded(FASTCGI);
    }
    if (TLS_SETTINGS.contains(name)) {
      return name.equals("ssl_stapling_verify")
          ? Verdict.notNeeded(
              "Wharf staples the ssl_stapling_file response as it is; check it when you fetch it")
          : Verdict.notNeeded("no listen ... ssl uses it");
    }
    if (name.startsWith("ssl_")) {
      return Verdict.notTranslated(TLS);
    }
    if (name.startsWith("proxy_ssl_")) {
      return Verdict.notNeeded("no proxy_pass https:// uses it");
    }
    if (name.startsWith("proxy_cache_")) {
      return Verdict.notTranslated(NO_CACHE);
    }
    if (name.endsWith("_dry_run") && name.startsWith("limit_")) {
      return Verdict.notTranslated("Wharf has no dry-run mode for limits");
    }
    if (name.endsWith("_log_level") && name.startsWith("limit_")) {
      return Verdict.notNeeded(
          "Wharf counts limited requests in wharf_rate_limit_requests_total and"
              + " wharf_conn_limit_total instead of logging them");
    }
    if (name.startsWith("limit_req") || name.startsWith("limit_conn")) {
      return Verdict.notNeeded(
          "no proxied or static route uses it (nginx applies no limit to return or rewrite)");
    }
    return null;
  }
}
