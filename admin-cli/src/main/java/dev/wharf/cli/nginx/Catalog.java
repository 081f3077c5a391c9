package dev.wharf.cli.nginx;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the importer knows about nginx directives it does not translate itself: which need nothing
 * in Wharf and which Wharf cannot do, each with the reason the report gives. The translator decides
 * about the directives it uses; {@link #sweep} decides about the rest. A directive nobody here
 * knows is reported as not translated, never dropped.
 */
final class Catalog {
  private static final String PROCESS =
      "how the nginx process runs; a Wharf node runs as whatever starts it";
  private static final String WORKERS =
      "nginx process tuning; a Wharf node sizes its event loops itself (--workers)";
  private static final String HASHES = "nginx table sizing; Wharf sizes its tables itself";
  private static final String BUFFERS =
      "buffering; Wharf streams bodies with backpressure instead of buffering them";
  private static final String FILES = "file serving tuning that Wharf does not need";
  private static final String FASTCGI =
      "settings for FastCGI, uwsgi or SCGI, which no translated location uses";
  private static final String TLS =
      "Wharf listeners do not terminate TLS; put a TLS terminator in front of Wharf";
  private static final String NO_CACHE = "Wharf does not cache responses";
  private static final String NO_LIMITS = "Wharf has no request rate or connection limits";
  private static final String NO_ACCESS = "Wharf has no access control";
  private static final String NO_VARIABLES = "Wharf has no variables of your own";
  private static final String NO_BODY_FILTERS = "Wharf does not change response bodies";
  private static final String NO_PROTOCOL =
      "Wharf proxies HTTP/1.1 and WebSocket to endpoints, not FastCGI, uwsgi, SCGI, gRPC or "
          + "memcached";

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
          "proxy_http_version",
          "proxy_connect_timeout",
          "proxy_read_timeout",
          "proxy_send_timeout",
          "proxy_next_upstream",
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
          "underscores_in_headers");

  /** Settings that only matter where something translated uses them. */
  private static final Set<String> SETTINGS =
      Set.of(
          "proxy_set_header",
          "add_header",
          "proxy_hide_header",
          "proxy_http_version",
          "proxy_connect_timeout",
          "proxy_read_timeout",
          "proxy_send_timeout",
          "proxy_next_upstream",
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
          "underscores_in_headers");

  private static final Map<String, Verdict> FIXED = new HashMap<>();

  static {
    notNeeded(
        PROCESS,
        "user",
        "pid",
        "lock_file",
        "daemon",
        "master_process",
        "working_directory",
        "env",
        "load_module",
        "debug_points",
        "google_perftools_profiles");
    notNeeded(
        WORKERS,
        "worker_processes",
        "worker_connections",
        "worker_rlimit_nofile",
        "worker_rlimit_core",
        "worker_cpu_affinity",
        "worker_priority",
        "worker_shutdown_timeout",
        "worker_aio_requests",
        "events",
        "use",
        "multi_accept",
        "accept_mutex",
        "accept_mutex_delay",
        "thread_pool",
        "timer_resolution",
        "pcre_jit",
        "debug_connection");
    notNeeded(
        "Wharf logs its own errors to its own log",
        "error_log",
        "log_not_found",
        "log_subrequest",
        "open_log_file_cache");
    notNeeded(
        HASHES,
        "server_names_hash_bucket_size",
        "server_names_hash_max_size",
        "types_hash_bucket_size",
        "types_hash_max_size",
        "variables_hash_bucket_size",
        "variables_hash_max_size",
        "map_hash_bucket_size",
        "map_hash_max_size",
        "proxy_headers_hash_bucket_size",
        "proxy_headers_hash_max_size");
    notNeeded(
        BUFFERS,
        "client_header_buffer_size",
        "client_body_buffer_size",
        "client_body_temp_path",
        "proxy_buffering",
        "proxy_buffer_size",
        "proxy_buffers",
        "proxy_busy_buffers_size",
        "proxy_temp_path",
        "proxy_temp_file_write_size",
        "proxy_max_temp_file_size",
        "proxy_request_buffering",
        "gzip_buffers",
        "output_buffers",
        "postpone_output");
    notNeeded(
        FILES,
        "sendfile",
        "sendfile_max_chunk",
        "tcp_nopush",
        "tcp_nodelay",
        "aio",
        "aio_write",
        "directio",
        "directio_alignment",
        "read_ahead",
        "open_file_cache",
        "open_file_cache_valid",
        "open_file_cache_min_uses",
        "open_file_cache_errors",
        "reset_timedout_connection",
        "lingering_close",
        "lingering_time",
        "lingering_timeout");
    notNeeded("Wharf's Server header is 'wharf', without a version", "server_tokens");
    notNeeded(
        "Wharf resolves endpoint host names with the system resolver",
        "resolver",
        "resolver_timeout");
    notNeeded(
        "keep-alive workarounds for old browsers",
        "keepalive_disable",
        "msie_padding",
        "msie_refresh");
    notNeeded(
        "stops nginx's rewrite directives; those that are here are reported on their own", "break");

    notTranslated(
        NO_PROTOCOL, "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "memcached_pass");
    notTranslated(
        NO_CACHE,
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
    notTranslated(
        "Wharf adds no caching headers by itself; write a response_headers rule "
            + "(Cache-Control) by hand",
        "expires",
        "etag",
        "if_modified_since");
    notTranslated(
        NO_LIMITS,
        "limit_req",
        "limit_req_zone",
        "limit_req_status",
        "limit_req_log_level",
        "limit_conn",
        "limit_conn_zone",
        "limit_conn_status",
        "limit_conn_log_level",
        "limit_rate",
        "limit_rate_after",
        "keepalive_requests");
    notTranslated(
        NO_ACCESS,
        "auth_basic",
        "auth_basic_user_file",
        "auth_request",
        "auth_request_set",
        "auth_jwt",
        "auth_jwt_key_file",
        "allow",
        "deny",
        "satisfy",
        "limit_except");
    notTranslated(NO_VARIABLES, "set", "geo", "split_clients", "map", "perl_set", "js_set");
    notTranslated(
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
    notTranslated(
        TLS,
        "ssl",
        "ssl_certificate",
        "ssl_certificate_key",
        "ssl_protocols",
        "ssl_ciphers",
        "ssl_prefer_server_ciphers",
        "ssl_session_cache",
        "ssl_session_timeout",
        "ssl_session_tickets",
        "ssl_dhparam",
        "ssl_stapling",
        "ssl_stapling_verify",
        "ssl_trusted_certificate",
        "ssl_client_certificate",
        "ssl_verify_client",
        "ssl_verify_depth",
        "ssl_ecdh_curve",
        "ssl_password_file",
        "ssl_early_data");
    notTranslated(
        "Wharf connects to endpoints without TLS",
        "proxy_ssl_certificate",
        "proxy_ssl_certificate_key",
        "proxy_ssl_verify",
        "proxy_ssl_trusted_certificate",
        "proxy_ssl_server_name",
        "proxy_ssl_name",
        "proxy_ssl_protocols",
        "proxy_ssl_session_reuse");
    notTranslated(
        "Wharf speaks HTTP/1.1 to clients",
        "http2",
        "http3",
        "quic",
        "http2_max_concurrent_streams",
        "http2_push",
        "spdy_headers_comp");
    notTranslated("Wharf proxies HTTP and WebSocket only", "stream", "mail");
    notTranslated(
        "Wharf answers errors with its own one-line bodies",
        "error_page",
        "proxy_intercept_errors",
        "recursive_error_pages");
    notTranslated("Wharf has no conditions; write the case as its own route or header rule", "if");
    notTranslated(
        "Wharf takes $remote_addr from the connection",
        "real_ip_header",
        "set_real_ip_from",
        "real_ip_recursive");
    notTranslated(
        "Wharf serves no directory listings",
        "autoindex",
        "autoindex_exact_size",
        "autoindex_localtime",
        "autoindex_format");
    notTranslated(
        "Wharf does not change the charset of responses",
        "charset",
        "source_charset",
        "charset_types",
        "override_charset");
    notTranslated(
        "Wharf has no counterpart",
        "proxy_pass_header",
        "proxy_ignore_headers",
        "proxy_next_upstream_tries",
        "proxy_next_upstream_timeout",
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

  private Catalog() {}

  /** True for every directive name the importer knows, translated or not. */
  static boolean isKnown(String name) {
    return HANDLED.contains(name) || FIXED.containsKey(name) || prefixRule(name) != null;
  }

  /**
   * The verdict on a directive the translator did not decide about: the table's, "not needed" for a
   * setting nothing translated uses, "not translated" for anything else.
   */
  static Verdict sweep(Directive d) {
    switch (d.name()) {
      case "proxy_redirect" -> {
        return d.arg(0).equals("off")
            ? Verdict.notNeeded("Wharf passes Location headers from endpoints unchanged")
            : Verdict.notTranslated(
                "Wharf passes Location headers from endpoints unchanged; "
                    + "it does not rewrite them");
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
    if (name.startsWith("ssl_")) {
      return Verdict.notTranslated(TLS);
    }
    if (name.startsWith("proxy_cache_")) {
      return Verdict.notTranslated(NO_CACHE);
    }
    if (name.startsWith("limit_req") || name.startsWith("limit_conn")) {
      return Verdict.notTranslated(NO_LIMITS);
    }
    return null;
  }

  private static void notNeeded(String reason, String... names) {
    put(Verdict.notNeeded(reason), List.of(names));
  }

  private static void notTranslated(String reason, String... names) {
    put(Verdict.notTranslated(reason), List.of(names));
  }

  private static void put(Verdict verdict, List<String> names) {
    for (String n : names) {
      if (FIXED.putIfAbsent(n, verdict) != null) {
        throw new IllegalStateException(n + " is listed twice");
      }
    }
  }
}
