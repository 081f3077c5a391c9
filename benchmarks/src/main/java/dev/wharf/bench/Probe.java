package dev.wharf.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code probe URL [WAIT_SECONDS]}: one GET, retried while the connection is refused for up to
 * WAIT_SECONDS (default 0) so a proxy that is still starting can be waited for. Prints {@code
 * status CODE ...}; exits 0 only when the answer is the backend's own {@code 200 hello}, so a proxy
 * that answers itself (501, 502, a page of its own) is told apart from one that proxies.
 */
final class Probe {
  private Probe() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: probe URL [WAIT_SECONDS]");
      System.exit(2);
    }
    URI url = URI.create(args[0]);
    long waitNanos = Duration.ofSeconds(args.length == 2 ? Long.parseLong(args[1]) : 0).toNanos();
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).GET().build();
    long start = System.nanoTime();
    while (true) {
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        boolean proxied =
            response.statusCode() == 200 && BackendHandler.BODY.equals(response.body());
        System.out.println(
            "status "
                + response.statusCode()
                + (proxied ? " (the backend's answer)" : " body " + excerpt(response.body())));
        System.exit(proxied ? 0 : 1);
      } catch (ConnectException e) {
        if (System.nanoTime() - start > waitNanos) {
          System.out.println("status none (" + LoadConnection.describe(e) + ")");
          System.exit(1);
        }
        Thread.sleep(100);
      } catch (IOException e) {
        System.out.println("status none (" + LoadConnection.describe(e) + ")");
        System.exit(1);
      }
    }
  }

  private static String excerpt(String body) {
    String flat = body.replaceAll("\\s+", " ").strip();
    return "'" + (flat.length() > 80 ? flat.substring(0, 80) + "..." : flat) + "'";
  }
}
