package dev.wharf.cli.nginx;

/**
 * The {@link Catalog}'s directives that Wharf cannot do (caching, limits, access control, TLS,
 * other protocols, body filters and the like), grouped by the reason the report gives.
 */
final class NotTranslatedDirectives {
  private static final String NO_ACCESS =
      "Wharf has allow/deny and basic auth only (no auth_request, JWT or limit_except)";
  private static final String NO_VARIABLES = "Wharf has no variables of your own";
  private static final String NO_BODY_FILTERS = "Wharf does not change response bodies";
  private static final String NO_PROTOCOL =
      "Wharf proxies HTTP/1.1 and WebSocket to endpoints, not FastCGI, uwsgi, SCGI, gRPC or "
          + "memcached";

  private NotTranslatedDirectives() {}

  /** Adds every directive here, with its reason, to {@code table}. */
  static void addTo(DirectiveTable table) {
    protocols(table);
    cachingAndLimits(table);
    accessAndRequests(table);
    responses(table);
    noCounterpart(table);
  }

  /** Protocols Wharf does not speak: FastCGI and the like, TLS, HTTP/3, push, stream and mail. */
  private static void protocols(DirectiveTable table) {
    table.notTranslated(
        NO_PROTOCOL, "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass");
    table.notTranslated(
        "the ssl directive (removed in nginx 1.25) is not translated: write listen ... ssl", "ssl");
    table.notTranslated(
        "not configurable: Wharf's TLS engine chooses the key exchange groups",
        "ssl_dhparam",
        "ssl_ecdh_curve");
    table.notTranslated(
        "Wharf reads unencrypted keys only: decrypt the key (openssl pkey) and protect the file",
        "ssl_password_file");
    table.notTranslated("Wharf does not accept TLS 1.3 early data", "ssl_early_data");
    table.notTranslated(
        "Wharf verifies client certificates against ssl_client_certificate only, and checks "
            + "no OCSP response: put the CAs it must trust there",
        "ssl_trusted_certificate");
    table.notTranslated(
        Catalog.TLS,
        "ssl_conf_command",
        "ssl_crl",
        "ssl_ocsp",
        "ssl_ocsp_cache",
        "ssl_ocsp_responder",
        "ssl_stapling_responder");
    table.notTranslated(
        "Wharf does not speak HTTP/3 (QUIC); it serves HTTP/1.1 and HTTP/2 over TCP",
        "http3",
        "http3_hq",
        "http3_max_concurrent_streams",
        "http3_stream_buffer_size",
        "quic",
        "quic_retry",
        "quic_gso",
        "quic_host_key",
        "quic_active_connection_id_limit",
        "quic_bpf");
    table.notTranslated(
        "HTTP/2 server push is obsolete: browsers removed it and nginx 1.25.1 ignores it; Wharf"
            + " does not push (send a Link: rel=preload header, or 103 Early Hints from the"
            + " backend)",
        "http2_push",
        "http2_push_preload",
        "http2_max_concurrent_pushes");
    table.notTranslated("SPDY is gone; Wharf speaks HTTP/2 instead", "spdy_headers_comp");
    table.notTranslated("Wharf proxies HTTP and WebSocket only", "stream", "mail");
  }

  /** Response caching, caching headers, and rate and connection limits. */
  private static void cachingAndLimits(DirectiveTable table) {
    table.notTranslated(
        Catalog.NO_CACHE,
        "proxy_cache",
        "proxy_cache_path",
        "proxy_cache_key",
        "proxy_cache_valid",
        "proxy_cache_bypass",
        "proxy_no_cache",
        "proxy_cache_lock",
        "proxy_cache_use_stale",
        "proxy_cache_methods",
        "proxy_cache_min_uses",
        "proxy_cache_revalidate",
        "proxy_cache_background_update",
        "proxy_store");
    table.notTranslated(
        "Wharf adds no caching headers by itself; write a response_headers rule "
            + "(Cache-Control) by hand",
        "expires",
        "etag",
        "if_modified_since");
    table.notTranslated(Catalog.NO_LIMITS, "limit_rate", "limit_rate_after", "keepalive_requests");
  }

  /** Access control, variables, conditions and response body filters. */
  private static void accessAndRequests(DirectiveTable table) {
    table.notTranslated(
        NO_ACCESS,
        "auth_request",
        "auth_request_set",
        "auth_jwt",
        "auth_jwt_key_file",
        "limit_except");
    table.notTranslated(
        "translated on the routes of the locations that inherit it; no route here does",
        "auth_basic",
        "auth_basic_user_file",
        "allow",
        "deny",
        "satisfy");
    table.notTranslated(NO_VARIABLES, "set", "geo", "split_clients", "map", "perl_set", "js_set");
    table.notTranslated(
        "Wharf has no conditions; write the case as its own route or header rule", "if");
    table.notTranslated(
        NO_BODY_FILTERS,
        "sub_filter",
        "sub_filter_once",
        "sub_filter_types",
        "sub_filter_last_modified",
        "ssi",
        "ssi_types",
        "addition_types",
        "add_before_body",
        "add_after_body",
        "xslt_stylesheet",
        "image_filter");
  }

  /** Client addresses, directory listings and charsets. */
  private static void responses(DirectiveTable table) {
    table.notTranslated(
        "Wharf takes the client address per listener, from the server level or above",
        "real_ip_header",
        "set_real_ip_from",
        "real_ip_recursive");
    table.notTranslated(
        "Wharf serves no directory listings",
        "autoindex",
        "autoindex_exact_size",
        "autoindex_localtime",
        "autoindex_format");
    table.notTranslated(
        "Wharf does not change the charset of responses",
        "charset",
        "source_charset",
        "charset_types",
        "override_charset");
  }

  /** Everything else nginx can do that Wharf has no counterpart for. */
  private static void noCounterpart(DirectiveTable table) {
    table.notTranslated(
        "Wharf has no counterpart",
        "proxy_pass_header",
        "proxy_ignore_headers",
        "proxy_method",
        "proxy_pass_request_body",
        "proxy_pass_request_headers",
        "proxy_set_body",
        "proxy_cookie_domain",
        "proxy_cookie_path",
        "proxy_bind",
        "proxy_socket_keepalive",
        "proxy_ignore_client_abort",
        "empty_gif",
        "stub_status",
        "mirror",
        "dav_methods",
        "mp4",
        "flv",
        "secure_link",
        "sticky",
        "ntlm",
        "queue",
        "keepalive_time",
        "health_check",
        "absolute_redirect",
        "port_in_redirect",
        "server_name_in_redirect",
        "merge_slashes",
        "ignore_invalid_headers",
        "underscores_in_headers",
        "chunked_transfer_encoding",
        "client_body_in_file_only",
        "client_body_in_single_buffer");
  }
}
