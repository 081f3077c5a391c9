package dev.wharf.config;

import dev.wharf.proto.config.v1.Http2;
import dev.wharf.proto.config.v1.Listener;

/**
 * {@code listeners[i].http2} with every default filled in: the one home of HTTP/2's defaults. The
 * data plane builds its HTTP/2 settings from {@link #of}, so the validator, the docs and the node
 * agree on what an unset field means.
 *
 * @param offered whether the listener speaks HTTP/2 at all (ALPN {@code h2} with TLS, prior
 *     knowledge without)
 * @param cleartext whether a plain listener accepts h2c with prior knowledge
 * @param maxConcurrentStreams SETTINGS_MAX_CONCURRENT_STREAMS
 * @param maxHeaderListSize SETTINGS_MAX_HEADER_LIST_SIZE, in bytes
 * @param initialStreamWindow SETTINGS_INITIAL_WINDOW_SIZE, in bytes
 * @param connectionWindow the connection's receive window, in bytes
 * @param maxFrameSize SETTINGS_MAX_FRAME_SIZE, in bytes
 * @param headerTableSize SETTINGS_HEADER_TABLE_SIZE, in bytes
 * @param maxResets client stream resets tolerated per {@code resetWindowSeconds}; 0 means no cap
 * @param webSocket whether RFC 8441's extended CONNECT is offered
 */
public record Http2Options(
    boolean offered,
    boolean cleartext,
    long maxConcurrentStreams,
    long maxHeaderListSize,
    int initialStreamWindow,
    int connectionWindow,
    int maxFrameSize,
    long headerTableSize,
    int maxResets,
    int resetWindowSeconds,
    boolean webSocket) {
  /** nginx's http2_max_concurrent_streams. */
  public static final long DEFAULT_MAX_CONCURRENT_STREAMS = 128;

  /** nginx's http2_body_preread_size, which nginx also announces as the stream window. */
  public static final int DEFAULT_INITIAL_STREAM_WINDOW = 64 * 1024;

  public static final int DEFAULT_CONNECTION_WINDOW = 1024 * 1024;

  /** RFC 9113's initial SETTINGS_MAX_FRAME_SIZE. */
  public static final int DEFAULT_MAX_FRAME_SIZE = 16 * 1024;

  /** RFC 7541's initial table size. */
  public static final long DEFAULT_HEADER_TABLE_SIZE = 4096;

  /** Netty's own default for the rapid-reset defence: 200 resets per 30 seconds. */
  public static final int DEFAULT_MAX_RESETS = 200;

  public static final int DEFAULT_RESET_WINDOW_SECONDS = 30;

  /** The effective HTTP/2 options of {@code listener}. */
  public static Http2Options of(Listener listener) {
    Http2 h2 = listener.getHttp2();
    boolean enabled = !h2.hasEnabled() || h2.getEnabled();
    boolean tls = listener.hasTls();
    return new Http2Options(
        enabled && (tls || h2.getCleartext()),
        !tls && enabled && h2.getCleartext(),
        h2.getMaxConcurrentStreams() > 0
            ? h2.getMaxConcurrentStreams()
            : DEFAULT_MAX_CONCURRENT_STREAMS,
        h2.hasMaxHeaderListSize()
            ? h2.getMaxHeaderListSize().getBytes()
            : ListenerLimits.maxRequestHeaderBytes(listener),
        h2.hasInitialStreamWindow()
            ? (int) h2.getInitialStreamWindow().getBytes()
            : DEFAULT_INITIAL_STREAM_WINDOW,
        h2.hasConnectionWindow()
            ? (int) h2.getConnectionWindow().getBytes()
            : DEFAULT_CONNECTION_WINDOW,
        h2.hasMaxFrameSize() ? (int) h2.getMaxFrameSize().getBytes() : DEFAULT_MAX_FRAME_SIZE,
        h2.hasHeaderTableSize() ? h2.getHeaderTableSize().getBytes() : DEFAULT_HEADER_TABLE_SIZE,
        h2.hasMaxResets() ? h2.getMaxResets() : DEFAULT_MAX_RESETS,
        h2.hasResetWindow() ? (int) h2.getResetWindow().getSeconds() : DEFAULT_RESET_WINDOW_SECONDS,
        !h2.hasWebsocket() || h2.getWebsocket());
  }
}
