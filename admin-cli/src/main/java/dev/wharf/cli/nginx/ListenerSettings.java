package dev.wharf.cli.nginx;

import com.google.protobuf.Duration;
import dev.wharf.proto.config.v1.AccessLog;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Size;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings Wharf keeps per listener and nginx per server (or level above): the client timeouts,
 * {@code large_client_header_buffers}, {@code access_log}, {@code underscores_in_headers} and the
 * HTTP/2 settings {@code http2_max_concurrent_streams} and {@code http2_body_preread_size}. A
 * listener takes them from the first server on it (the default server, which is where nginx takes
 * the header timeouts from too); a later server on it with other values is reported.
 */
final class ListenerSettings {
  private static final List<String> NAMES =
      List.of(
          "client_header_timeout",
          "client_body_timeout",
          "keepalive_timeout",
          "send_timeout",
          "large_client_header_buffers",
          "access_log",
          "underscores_in_headers",
          "http2_max_concurrent_streams",
          "http2_body_preread_size");

  private final Ledger ledger;
  private final AccessLogs logs;

  /** Per listener, where each setting came from (empty: nginx's default). */
  private final Map<String, Map<String, Optional<Directive>>> sources = new HashMap<>();

  private final Map<String, Directive> firstServers = new HashMap<>();

  ListenerSettings(Ledger ledger, AccessLogs logs) {
    this.ledger = ledger;
    this.logs = logs;
  }

  void apply(String listenerName, Listener.Builder listener, Directive server, Scope scope) {
    Map<String, Optional<Directive>> taken = sources.get(listenerName);
    for (String name : NAMES) {
      List<Directive> all = scope.nearestAll(name);
      Optional<Directive> d = all.stream().findFirst();
      if (taken == null) {
        d.ifPresent(first -> translate(name, all, listener));
      } else {
        compare(listenerName, name, taken.get(name), d, server);
      }
    }
    if (taken == null) {
      Map<String, Optional<Directive>> now = new HashMap<>();
      NAMES.forEach(n -> now.put(n, scope.nearest(n)));
      sources.put(listenerName, now);
      firstServers.put(listenerName, server);
    }
  }

  private void translate(String name, List<Directive> all, Listener.Builder listener) {
    Directive d = all.get(0);
    Optional<String> problem =
        switch (name) {
          case "client_header_timeout" -> time(d, listener::setClientHeaderTimeout);
          case "client_body_timeout" -> time(d, listener::setClientBodyTimeout);
          case "send_timeout" -> time(d, listener::setSendTimeout);
          case "keepalive_timeout" -> time(d, listener::setKeepaliveTimeout);
          case "large_client_header_buffers" -> headerBuffers(d, listener);
          case "access_log" -> accessLog(all, listener);
          case "underscores_in_headers" -> underscores(d, listener);
          case "http2_max_concurrent_streams" -> concurrentStreams(d, listener);
          case "http2_body_preread_size" -> prereadSize(d, listener);
          default -> throw new IllegalArgumentException(name);
        };
    if (problem.isPresent()) {
      ledger.notTranslated(d, problem.get());
    } else if (name.equals("keepalive_timeout") && d.args().size() > 1) {
      ledger.check(d, "Wharf sends no Keep-Alive: timeout= header; the second value is not used");
    } else if (!name.equals("access_log")) {
      ledger.translated(d);
    }
  }

  private static Optional<String> time(Directive d, java.util.function.Consumer<Duration> set) {
    Optional<Duration> t = Values.time(d.arg(0));
    t.ifPresent(set);
    return t.isPresent() ? Optional.empty() : Optional.of("'" + d.arg(0) + "' is not a time");
  }

  /**
   * {@code N SIZE}: a request line and each header line must fit in one buffer, the whole head in
   * all of them; so the longest URI and header line are SIZE and the largest head N x SIZE.
   */
  private static Optional<String> headerBuffers(Directive d, Listener.Builder listener) {
    Optional<Integer> count = Values.number(d.arg(0), 1, 1024);
    Optional<Size> size = Values.size(d.arg(1));
    if (count.isEmpty() || size.isEmpty()) {
      return Optional.of("'" + d.text() + "' is not NUMBER SIZE");
    }
    long head = count.get() * size.get().getBytes();
    long uri = size.get().getBytes();
    if (head < 1024 || head > (1 << 20) || uri < 256) {
      return Optional.of("Wharf takes request heads of 1k to 1m, and URIs of 256 bytes or more");
    }
    listener
        .setMaxRequestHeaderSize(Size.newBuilder().setBytes(head))
        .setMaxUriLength(Size.newBuilder().setBytes(Math.min(uri, 1 << 20)))
        .setMaxHeaderLineSize(Size.newBuilder().setBytes(Math.min(uri, 1 << 20)));
    return Optional.empty();
  }

  private static Optional<String> underscores(Directive d, Listener.Builder listener) {
    Optional<Boolean> on = Values.flag(d.arg(0));
    on.ifPresent(listener::setUnderscoresInHeaders);
    return on.isPresent() ? Optional.empty() : Optional.of("'" + d.arg(0) + "' is not on or off");
  }

  /** The bounds are those of {@code http2.max_concurrent_streams}. */
  private static Optional<String> concurrentStreams(Directive d, Listener.Builder listener) {
    Optional<Integer> n = Values.number(d.arg(0), 1, 10_000);
    // A lambda: getHttp2Builder() marks http2 as set, which it must not be when n is refused.
    n.ifPresent(streams -> listener.getHttp2Builder().setMaxConcurrentStreams(streams));
    return n.isPresent()
        ? Optional.empty()
        : Optional.of("Wharf takes 1 to 10000 concurrent streams; the default 128 applies");
  }

  /**
   * nginx announces its preread size as each stream's initial window
   * (SETTINGS_INITIAL_WINDOW_SIZE), which is what {@code http2.initial_stream_window} sets.
   */
  private static Optional<String> prereadSize(Directive d, Listener.Builder listener) {
    Optional<Size> size = Values.size(d.arg(0));
    if (size.isEmpty()) {
      return Optional.of("'" + d.arg(0) + "' is not a size");
    }
    long bytes = size.get().getBytes();
    if (bytes < 1024 || bytes > 16 << 20) {
      return Optional.of(
          "Wharf's stream window (initial_stream_window) is 1k to 16m; the default 64k applies");
    }
    listener.getHttp2Builder().setInitialStreamWindow(size.get());
    return Optional.empty();
  }

  private Optional<String> accessLog(List<Directive> all, Listener.Builder listener) {
    Either<Optional<AccessLog>> log = logs.translate(all);
    if (!log.ok()) {
      return Optional.of(log.problem());
    }
    log.value().ifPresent(listener::setAccessLog);
    return Optional.empty();
  }

  private void compare(
      String listenerName,
      String name,
      Optional<Directive> taken,
      Optional<Directive> now,
      Directive server) {
    if (taken.equals(now)) {
      return; // the same directive (inherited from http), or nginx's default for both
    }
    Directive first = firstServers.get(listenerName);
    if (now.isPresent() && taken.isPresent() && now.get().args().equals(taken.get().args())) {
      ledger.translated(now.get());
    } else if (now.isPresent()) {
      ledger.notTranslated(
          now.get(),
          "listener '"
              + listenerName
              + "' takes "
              + name
              + " from the first server on it ("
              + first.origin()
              + ")");
    } else {
      ledger.check(
          taken.get(),
          "also applies to the server at "
              + server.origin()
              + " on listener '"
              + listenerName
              + "', where nginx used its default");
    }
  }
}
