package dev.wharf.dataplane.http2;

import dev.wharf.config.Http2Options;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The server side of an HTTP/2 connection as a listener's {@link Http2Options} say: the settings
 * the node announces and the defences Netty's codec enforces on what the client sends.
 *
 * <ul>
 *   <li>header lists over {@code max_header_list_size} are answered {@code 431} (and end the
 *       connection when far over, as Netty does: the CONTINUATION flood of CVE-2024-27316 cannot
 *       grow a header block without bound);
 *   <li>more than {@code max_resets} streams reset by the client per {@code reset_window} end the
 *       connection with {@code GOAWAY ENHANCE_YOUR_CALM} (rapid reset, CVE-2023-44487);
 *   <li>floods of tiny CONTINUATION frames, of empty DATA frames, and of SETTINGS or PING frames
 *       whose acknowledgements the client never reads end the connection the same way.
 * </ul>
 */
public final class Http2Codecs {
  /** Empty DATA frames in a row that a client may send (they cost work and carry nothing). */
  static final int MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 2;

  /** CONTINUATION frames much smaller than a frame may be, in a row, per header block. */
  static final int MAX_SMALL_CONTINUATION_FRAMES = 16;

  /** Control-frame acknowledgements queued for a client that does not read them. */
  static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;

  private Http2Codecs() {}

  /** The settings announced in the node's first SETTINGS frame. */
  public static Http2Settings settings(Http2Options options) {
    Http2Settings settings =
        new Http2Settings()
            .maxConcurrentStreams(options.maxConcurrentStreams())
            .maxHeaderListSize(options.maxHeaderListSize())
            .initialWindowSize(options.initialStreamWindow())
            .maxFrameSize(options.maxFrameSize())
            .headerTableSize(options.headerTableSize());
    if (options.webSocket()) {
      settings.connectProtocolEnabled(true);
    }
    return settings;
  }

  /**
   * A new codec for one connection. The connection closes only when its last stream ends: a node
   * drain sends GOAWAY and waits for its streams, bounded by the drain's own deadline.
   */
  public static Http2FrameCodec server(Http2Options options) {
    Http2FrameCodecBuilder builder =
        Http2FrameCodecBuilder.forServer()
            .initialSettings(settings(options))
            .validateHeaders(true)
            .gracefulShutdownTimeoutMillis(-1)
            .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA_FRAMES)
            .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES)
            .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES);
    if (options.maxResets() > 0) {
      builder.decoderEnforceMaxRstFramesPerWindow(
          options.maxResets(), options.resetWindowSeconds());
    } else {
      builder.decoderEnforceMaxRstFramesPerWindow(0, 0);
    }
    return builder.build();
  }
}
