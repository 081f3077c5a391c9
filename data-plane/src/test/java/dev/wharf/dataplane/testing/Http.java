package dev.wharf.dataplane.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP/1.1 client of the end-to-end tests: the JDK's, with a bound on every exchange, so a
 * proxy that stops answering (or stops in the middle of a body) fails the test within {@link
 * #TIMEOUT} instead of hanging it. Requests go as built; statuses, headers and bodies come back as
 * the JDK's {@link HttpResponse}.
 *
 * <p>For bytes a real client would not send, or to check what happens on one connection, use {@link
 * RawHttp}. Threading: one shared client; every method may be called from any thread.
 */
public final class Http {
  /**
   * The longest a whole exchange (connect, head and body) may take: long enough for a loaded CI
   * machine, short enough that a stuck proxy fails the test rather than the build's timeout.
   */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** The bound of one {@link #status} probe, which callers repeat until a condition holds. */
  private static final Duration PROBE = Duration.ofSeconds(5);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private Http() {}

  /** A request to {@code uri} with the {@link #TIMEOUT} set; headers are name, value pairs. */
  public static HttpRequest.Builder request(URI uri, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    if (headers.length > 0) {
      request.headers(headers);
    }
    return request;
  }

  /** GET {@code uri}, the body as UTF-8 text; headers are name, value pairs. */
  public static HttpResponse<String> get(URI uri, String... headers)
      throws IOException, InterruptedException {
    return send(request(uri, headers).build(), BodyHandlers.ofString());
  }

  /** GET {@code uri}, the body as the bytes received; headers are name, value pairs. */
  public static HttpResponse<byte[]> getBytes(URI uri, String... headers)
      throws IOException, InterruptedException {
    return send(request(uri, headers).build(), BodyHandlers.ofByteArray());
  }

  /**
   * The status of GET {@code uri}, or -1 when no response came within 5 s (refused, reset, timed
   * out): for polling until a node is up, ready or drained.
   */
  public static int status(URI uri) {
    return status(uri, PROBE);
  }

  /** The status of GET {@code uri}, or -1 when no response came within {@code bound}. */
  public static int status(URI uri, Duration bound) {
    try {
      return send(
              HttpRequest.newBuilder(uri).timeout(bound).build(), BodyHandlers.discarding(), bound)
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + uri, e);
    }
  }

  public static HttpResponse<String> send(HttpRequest request)
      throws IOException, InterruptedException {
    return send(request, BodyHandlers.ofString());
  }

  /**
   * Sends {@code request} and waits for the whole response, at most {@link #TIMEOUT} (the request's
   * own timeout only bounds the wait for the head).
   *
   * @throws HttpTimeoutException the response was not complete in time
   * @throws IOException the exchange failed, as the JDK client reports it
   */
  public static <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> body)
      throws IOException, InterruptedException {
    return send(request, body, TIMEOUT);
  }

  private static <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> body, Duration bound)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<T>> response = CLIENT.sendAsync(request, body);
    try {
      return response.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      response.cancel(true);
      throw new HttpTimeoutException(
          request.method() + " " + request.uri() + ": no complete response within " + bound);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(
          request.method() + " " + request.uri() + ": " + e.getCause(), e.getCause());
    }
  }

  /**
   * GET {@code uri} without waiting, the body as UTF-8 text; the future fails with a {@link
   * TimeoutException} when the response is not complete within {@link #TIMEOUT}.
   */
  public static CompletableFuture<HttpResponse<String>> getAsync(URI uri, String... headers) {
    return CLIENT
        .sendAsync(request(uri, headers).build(), BodyHandlers.ofString())
        .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The first value of header {@code name}, or null when the response has none. */
  public static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }
}
