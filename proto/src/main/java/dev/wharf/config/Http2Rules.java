package dev.wharf.config;

import com.google.protobuf.Duration;
import dev.wharf.proto.config.v1.Http2;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Size;

/**
 * Rules for {@code listeners[i].http2}: the bounds of each setting, and the combinations with the
 * rest of the listener that cannot work. Its defaults live in {@link Http2Options}, which the data
 * plane reads after this has accepted the config.
 */
final class Http2Rules {
  /** Far above any browser's need (nginx's default is 128); each stream costs memory. */
  static final long MAX_CONCURRENT_STREAMS = 10_000;

  /** The bounds of max_header_list_size: those of max_request_header_size. */
  static final long MIN_HEADER_LIST = 1024;

  static final long MAX_HEADER_LIST = 1 << 20;

  /** Below 1k a client could barely send a request body; above 16m one stream hoards memory. */
  static final long MIN_STREAM_WINDOW = 1024;

  static final long MAX_STREAM_WINDOW = 16L << 20;

  static final long MAX_CONNECTION_WINDOW = 1L << 30;

  /** RFC 9113 section 6.5.2: SETTINGS_MAX_FRAME_SIZE is 2^14 to 2^24-1. */
  static final long MIN_FRAME = 1 << 14;

  static final long MAX_FRAME = (1 << 24) - 1;

  static final long MAX_HEADER_TABLE = 64 * 1024;

  /** Beyond this the defence is off in all but name; 0 turns it off honestly. */
  static final long MAX_RESETS = 1_000_000;

  static final long MAX_RESET_WINDOW_SECONDS = 3600;

  private Http2Rules() {}

  static void check(String listenerPath, Listener l, Problems problems) {
    if (!l.hasHttp2()) {
      return;
    }
    String path = listenerPath + ".http2";
    Http2 h2 = l.getHttp2();
    if (h2.getCleartext() && l.hasTls()) {
      problems.add(
          path + ".cleartext",
          "cleartext is for listeners without tls; with tls, h2 is offered through ALPN");
    }
    if (h2.getCleartext() && h2.hasEnabled() && !h2.getEnabled()) {
      problems.add(
          path + ".cleartext",
          "cleartext speaks HTTP/2, which enabled: false turns off (drop one of them)");
    }
    problems.rangeOrUnset(
        path + ".max_concurrent_streams",
        Integer.toUnsignedLong(h2.getMaxConcurrentStreams()),
        1,
        MAX_CONCURRENT_STREAMS);
    size(
        path + ".max_header_list_size",
        h2.hasMaxHeaderListSize(),
        h2.getMaxHeaderListSize(),
        MIN_HEADER_LIST,
        MAX_HEADER_LIST,
        problems);
    size(
        path + ".initial_stream_window",
        h2.hasInitialStreamWindow(),
        h2.getInitialStreamWindow(),
        MIN_STREAM_WINDOW,
        MAX_STREAM_WINDOW,
        problems);
    connectionWindow(path, h2, problems);
    size(
        path + ".max_frame_size",
        h2.hasMaxFrameSize(),
        h2.getMaxFrameSize(),
        MIN_FRAME,
        MAX_FRAME,
        problems);
    size(
        path + ".header_table_size",
        h2.hasHeaderTableSize(),
        h2.getHeaderTableSize(),
        0,
        MAX_HEADER_TABLE,
        problems);
    if (h2.hasMaxResets()) {
      problems.range(
          path + ".max_resets", Integer.toUnsignedLong(h2.getMaxResets()), 0, MAX_RESETS);
    }
    if (h2.hasResetWindow()) {
      Duration w = h2.getResetWindow();
      if (w.getNanos() != 0 || w.getSeconds() < 1 || w.getSeconds() > MAX_RESET_WINDOW_SECONDS) {
        problems.add(
            path + ".reset_window", Durations.format(w) + " (expected: whole seconds, 1s-1h)");
      }
    }
  }

  /**
   * At most 1g, and not smaller than the window of one stream (set or default): the connection's
   * window is shared by its streams, so a smaller one would stall each stream below its own window.
   */
  private static void connectionWindow(String path, Http2 h2, Problems problems) {
    if (!h2.hasConnectionWindow()) {
      return;
    }
    Size window = h2.getConnectionWindow();
    if (Long.compareUnsigned(window.getBytes(), MAX_CONNECTION_WINDOW) > 0) {
      problems.add(
          path + ".connection_window",
          Long.toUnsignedString(window.getBytes()) + " (expected: at most 1073741824)");
      return;
    }
    long stream =
        h2.hasInitialStreamWindow()
            ? h2.getInitialStreamWindow().getBytes()
            : Http2Options.DEFAULT_INITIAL_STREAM_WINDOW;
    if (Long.compareUnsigned(window.getBytes(), stream) < 0) {
      problems.add(
          path + ".connection_window",
          Sizes.format(window)
              + " is smaller than "
              + (h2.hasInitialStreamWindow() ? "" : "the default ")
              + "initial_stream_window "
              + Sizes.format(Size.newBuilder().setBytes(stream).build())
              + " (the streams share the connection's window)");
    }
  }

  /** A size that is unset or within {@code [min, max]}, bytes read unsigned. */
  private static void size(
      String path, boolean present, Size size, long min, long max, Problems problems) {
    if (present
        && (Long.compareUnsigned(size.getBytes(), min) < 0
            || Long.compareUnsigned(size.getBytes(), max) > 0)) {
      problems.add(
          path, Long.toUnsignedString(size.getBytes()) + " (expected: " + min + "-" + max + ")");
    }
  }
}
