package dev.wharf.dataplane.health;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP backend whose every answer has the status the test sets ({@link #answer}), with
 * {@code x-backend: flip}; it never upgrades. Unlike {@code TestBackend}, whose behaviour is chosen
 * by the path, it lets one endpoint of an upstream fail while another on the same path succeeds.
 * Counts the answers given since the last {@link #answer}.
 */
final class FlipBackend implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger answered = new AtomicInteger();

  private FlipBackend(HttpServer server) {
    this.server = server;
  }

  static FlipBackend start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
      FlipBackend backend = new FlipBackend(server);
      server.createContext(
          "/",
          exchange -> {
            exchange.getRequestBody().readAllBytes();
            int code = backend.status.get();
            byte[] body = ("status " + code + "\n").getBytes(StandardCharsets.US_ASCII);
            exchange.getResponseHeaders().set("x-backend", "flip");
            backend.answered.incrementAndGet();
            exchange.sendResponseHeaders(code, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
      return backend;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** From now on every request is answered {@code code}; resets {@link #answered}. */
  void answer(int code) {
    status.set(code);
    answered.set(0);
  }

  /** Requests answered since the last {@link #answer}. */
  int answered() {
    return answered.get();
  }

  String endpoint() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
