package dev.wharf.config;

import dev.wharf.proto.config.v1.Listener;

/**
 * The request-head limits of a listener with their defaults, nginx's {@code
 * large_client_header_buffers 4 8k}: the one home of those defaults for HTTP/1.1 and HTTP/2.
 */
public final class ListenerLimits {
  /** A request line fits in one 8k buffer. */
  public static final long DEFAULT_MAX_URI_LENGTH = 8 * 1024;

  /** The whole head fits in the four buffers. */
  public static final long DEFAULT_MAX_REQUEST_HEADER_SIZE = 32 * 1024;

  private ListenerLimits() {}

  /** {@code max_uri_length}, or its default. */
  public static long maxUriBytes(Listener listener) {
    return listener.hasMaxUriLength()
        ? listener.getMaxUriLength().getBytes()
        : DEFAULT_MAX_URI_LENGTH;
  }

  /** {@code max_request_header_size}, or its default. */
  public static long maxRequestHeaderBytes(Listener listener) {
    return listener.hasMaxRequestHeaderSize()
        ? listener.getMaxRequestHeaderSize().getBytes()
        : DEFAULT_MAX_REQUEST_HEADER_SIZE;
  }
}
