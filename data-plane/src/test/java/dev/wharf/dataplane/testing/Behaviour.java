package dev.wharf.dataplane.testing;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * What a {@link TestBackend} does with one request, read from its request-target: the raw path
 * picks the kind, a number in the path or query is its argument, and {@code close=1} in the query
 * asks for the connection to be closed after the response.
 */
record Behaviour(Kind kind, long argument, boolean closeAfterResponse) {
  enum Kind {
    ECHO,
    STATUS,
    BYTES,
    CHUNKED,
    STALL,
    STALL_AFTER_HEAD,
    /** A head promising N bytes (Content-Length), half of them, then a close. */
    TRUNCATED,
    /** A chunked head, a chunk header of N bytes, half of them, then a close. */
    TRUNCATED_CHUNKED,
    RESET,
    CLOSE,
    NO_READ,
    SLOW,
    /** Answered {@code held} only when the test calls {@link TestBackend#releaseHeld()}. */
    HOLD,
    WEBSOCKET,
    WEBSOCKET_REJECT,
    /** 302 with the {@code to} parameter as Location and in a Refresh header. */
    REDIRECT,
    /** A known path with an argument that is not a usable number; answered 400. */
    BAD_ARGUMENT;

    /** Kinds that act as soon as the head arrives, without waiting for (or reading) the body. */
    boolean actsOnHead() {
      return this == RESET || this == CLOSE || this == NO_READ;
    }
  }

  /**
   * @param upgrade the request asks for a WebSocket: then any path but /ws-reject is a WebSocket
   *     (so configs with their own WebSocket paths, like the seeds', can be tested)
   */
  static Behaviour of(String uri, boolean upgrade) {
    QueryStringDecoder target = new QueryStringDecoder(uri);
    String path = target.rawPath();
    boolean close = "1".equals(firstParameter(target, "close"));
    if (upgrade && !path.equals("/ws-reject")) {
      return new Behaviour(Kind.WEBSOCKET, 0, close);
    }
    return switch (path) {
      case "/stall" -> new Behaviour(Kind.STALL, 0, close);
      case "/stall-after-head" -> new Behaviour(Kind.STALL_AFTER_HEAD, 0, close);
      case "/reset" -> new Behaviour(Kind.RESET, 0, close);
      case "/close" -> new Behaviour(Kind.CLOSE, 0, close);
      case "/no-read" -> new Behaviour(Kind.NO_READ, 0, close);
      case "/slow" -> withNumber(Kind.SLOW, firstParameter(target, "ms"), 0, Long.MAX_VALUE, close);
      case "/ws-reject" -> new Behaviour(Kind.WEBSOCKET_REJECT, 0, close);
      case "/hold" -> new Behaviour(Kind.HOLD, 0, close);
      case "/redirect" -> new Behaviour(Kind.REDIRECT, 0, close);
      default -> byPrefix(path, close);
    };
  }

  private static Behaviour byPrefix(String path, boolean close) {
    if (path.startsWith("/status/")) {
      return withNumber(Kind.STATUS, path.substring("/status/".length()), 200, 599, close);
    }
    if (path.startsWith("/bytes/")) {
      return withNumber(Kind.BYTES, path.substring("/bytes/".length()), 0, Long.MAX_VALUE, close);
    }
    if (path.startsWith("/truncated/")) {
      return withNumber(Kind.TRUNCATED, path.substring("/truncated/".length()), 2, 1 << 20, close);
    }
    if (path.startsWith("/truncated-chunked/")) {
      return withNumber(
          Kind.TRUNCATED_CHUNKED,
          path.substring("/truncated-chunked/".length()),
          2,
          1 << 20,
          close);
    }
    if (path.startsWith("/chunked/")) {
      return withNumber(
          Kind.CHUNKED, path.substring("/chunked/".length()), 0, Long.MAX_VALUE, close);
    }
    if (path.startsWith("/ws")) {
      return new Behaviour(Kind.WEBSOCKET, 0, close);
    }
    return new Behaviour(Kind.ECHO, 0, close);
  }

  private static Behaviour withNumber(Kind kind, String text, long min, long max, boolean close) {
    try {
      long value = text == null ? 0 : Long.parseLong(text);
      if (value >= min && value <= max) {
        return new Behaviour(kind, value, close);
      }
    } catch (NumberFormatException e) {
      // falls through to BAD_ARGUMENT: a typo in a test's path should fail loudly, not echo
    }
    return new Behaviour(Kind.BAD_ARGUMENT, 0, close);
  }

  private static String firstParameter(QueryStringDecoder target, String name) {
    List<String> values = target.parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
