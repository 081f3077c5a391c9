package dev.wharf.config;

import dev.wharf.proto.config.v1.Listener;

/**
 * {@code listeners[i].max_header_line_size}: the longest single request header line (name, colon,
 * value, as received, without its CRLF) a listener accepts, as nginx's {@code
 * large_client_header_buffers N SIZE} limits each line to SIZE. The data plane reads the effective
 * value here, so the validator and the node agree on the default.
 */
public final class HeaderLineLimits {
  /** nginx's default SIZE of {@code large_client_header_buffers 4 8k}. */
  public static final long DEFAULT_BYTES = 8 * 1024;

  /** Below this, ordinary cookies and tokens would not fit. */
  static final long MIN_BYTES = 1024;

  /** The same ceiling as {@code max_request_header_size}. */
  static final long MAX_BYTES = 1 << 20;

  private HeaderLineLimits() {}

  /** The configured limit, or {@link #DEFAULT_BYTES}. */
  public static int effectiveBytes(Listener listener) {
    return (int)
        (listener.hasMaxHeaderLineSize()
            ? listener.getMaxHeaderLineSize().getBytes()
            : DEFAULT_BYTES);
  }

  /**
   * Within bounds, and not above an explicit {@code max_request_header_size}: such a line could
   * never arrive whole. Unset, the 8k default may exceed a smaller head limit; the head limit (431)
   * then comes first, as it did before this field existed.
   */
  static void check(String path, Listener l, Problems problems) {
    if (!l.hasMaxHeaderLineSize()) {
      return;
    }
    long line = l.getMaxHeaderLineSize().getBytes();
    problems.range(path + ".max_header_line_size", line, MIN_BYTES, MAX_BYTES);
    if (l.hasMaxRequestHeaderSize() && line > l.getMaxRequestHeaderSize().getBytes()) {
      problems.add(
          path + ".max_header_line_size",
          Sizes.format(l.getMaxHeaderLineSize())
              + " is larger than max_request_header_size "
              + Sizes.format(l.getMaxRequestHeaderSize())
              + " (a header line is part of the head)");
    }
  }
}
