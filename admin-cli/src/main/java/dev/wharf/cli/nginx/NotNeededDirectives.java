package dev.wharf.cli.nginx;

/**
 * The {@link Catalog}'s directives that need nothing in Wharf (process and buffer tuning, logging
 * and sizing Wharf does by itself, old browser workarounds), grouped by the reason the report
 * gives.
 */
final class NotNeededDirectives {
  private static final String PROCESS =
      "how the nginx process runs; a Wharf node runs as whatever starts it";
  private static final String WORKERS =
      "nginx process tuning; a Wharf node sizes its event loops itself (--workers)";
  private static final String HASHES = "nginx table sizing; Wharf sizes its tables itself";
  private static final String BUFFERS =
      "buffering; Wharf streams bodies with backpressure instead of buffering them";
  private static final String FILES = "file serving tuning that Wharf does not need";

  private NotNeededDirectives() {}

  /** Adds every directive here, with its reason, to {@code table}. */
  static void addTo(DirectiveTable table) {
    process(table);
    sizingAndBuffering(table);
    filesAndConnections(table);
    http2(table);
  }

  /** How the nginx process runs, its workers and its own error log. */
  private static void process(DirectiveTable table) {
    table.notNeeded(
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
    table.notNeeded(
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
    table.notNeeded(
        "Wharf logs its own errors to its own log",
        "error_log",
        "log_not_found",
        "log_subrequest",
        "open_log_file_cache");
  }

  /** Table sizes and buffers, which Wharf manages by itself. */
  private static void sizingAndBuffering(DirectiveTable table) {
    table.notNeeded(
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
    table.notNeeded(
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
  }

  /** File serving and connection tuning, and what Wharf does by itself anyway. */
  private static void filesAndConnections(DirectiveTable table) {
    table.notNeeded(
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
    table.notNeeded("Wharf's Server header is 'wharf', without a version", "server_tokens");
    table.notNeeded(
        "Wharf resolves endpoint host names with the system resolver",
        "resolver",
        "resolver_timeout");
    table.notNeeded(
        "keep-alive workarounds for old browsers",
        "keepalive_disable",
        "msie_padding",
        "msie_refresh");
    table.notNeeded(
        "stops nginx's rewrite directives; those that are here are reported on their own", "break");
  }

  /** HTTP/2 buffer tuning, and the HTTP/2 directives nginx 1.19.7 made obsolete. */
  private static void http2(DirectiveTable table) {
    table.notNeeded(
        "nginx HTTP/2 buffer tuning; Wharf sizes its HTTP/2 buffers itself",
        "http2_recv_buffer_size",
        "http2_chunk_size",
        "http2_streams_index_size");
    table.notNeeded(
        "obsolete since nginx 1.19.7, which ignores it: keepalive_timeout and"
            + " client_header_timeout apply to HTTP/2 connections, in Wharf too",
        "http2_idle_timeout",
        "http2_recv_timeout");
    table.notNeeded(
        "obsolete since nginx 1.19.7, which ignores it: large_client_header_buffers limits"
            + " HTTP/2 headers, in Wharf too (http2.max_header_list_size follows"
            + " max_request_header_size)",
        "http2_max_field_size",
        "http2_max_header_size");
    table.notNeeded(
        "obsolete since nginx 1.19.7, which ignores it (keepalive_requests took its place)",
        "http2_max_requests");
  }
}
