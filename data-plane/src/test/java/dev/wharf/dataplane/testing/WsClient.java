package dev.wharf.dataplane.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A real WebSocket client (the JDK's) that collects what it receives: whole messages (text as
 * String, binary as byte[]), pongs, and the close code the other side sent.
 */
public final class WsClient implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final WebSocket socket;
  private final Collector collector;

  private WsClient(WebSocket socket, Collector collector) {
    this.socket = socket;
    this.collector = collector;
  }

  /** Opens a WebSocket to {@code uri}; fails with the handshake's error. */
  public static WsClient connect(URI uri) {
    return connect(HTTP, uri);
  }

  /** Opens a {@code wss://} WebSocket trusting what {@code tls} trusts. */
  public static WsClient connect(URI uri, javax.net.ssl.SSLContext tls) {
    return connect(HttpClient.newBuilder().sslContext(tls).build(), uri);
  }

  /**
   * Opens a WebSocket to {@code uri} with {@code client}; one client can carry many WebSockets (one
   * selector thread for all of them, where {@link #connect(URI, javax.net.ssl.SSLContext)} starts
   * one per call).
   */
  public static WsClient connect(HttpClient client, URI uri) {
    Collector collector = new Collector();
    WebSocket ws =
        client
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(uri, collector)
            .orTimeout(10, TimeUnit.SECONDS)
            .join();
    return new WsClient(ws, collector);
  }

  public WebSocket socket() {
    return socket;
  }

  /**
   * Sends what {@code send} sends on the socket ({@code ws -> ws.sendText("hi", true)}) and waits
   * until it is written; AssertionError when that takes over 10 s (nobody reads).
   */
  public void send(Function<WebSocket, CompletableFuture<WebSocket>> send) {
    try {
      send.apply(socket).get(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("not sent within 10 s: the other side stopped reading");
    } catch (ExecutionException e) {
      throw new AssertionError("send failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while sending", e);
    }
  }

  /** The next whole message, waiting up to {@code timeout}; AssertionError when none came. */
  public Object nextMessage(Duration timeout) throws InterruptedException {
    Object m = collector.messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (m == null) {
      throw new AssertionError("no message within " + timeout);
    }
    return m;
  }

  public ByteBuffer nextPong(Duration timeout) throws InterruptedException {
    ByteBuffer p = collector.pongs.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (p == null) {
      throw new AssertionError("no pong within " + timeout);
    }
    return p;
  }

  /** The status code of the close frame the other side sent (the future waits for it). */
  public CompletableFuture<Integer> closeCode() {
    return collector.closed;
  }

  @Override
  public void close() {
    socket.abort();
  }

  private static final class Collector implements WebSocket.Listener {
    final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private StringBuilder text = new StringBuilder();
    private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        messages.add(text.toString());
        text = new StringBuilder();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] chunk = new byte[data.remaining()];
      data.get(chunk);
      binary.writeBytes(chunk);
      if (last) {
        messages.add(binary.toByteArray());
        binary = new java.io.ByteArrayOutputStream();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      pongs.add(message);
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode);
      return null; // the JDK answers with a close frame of the same code
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
