package dev.wharf.dataplane.server;

import dev.wharf.config.HttpsRedirects;
import dev.wharf.dataplane.http.HeaderValues;
import dev.wharf.dataplane.http.RequestVariables;
import dev.wharf.dataplane.http.Responses;
import dev.wharf.proto.config.v1.HttpsRedirect;
import dev.wharf.proto.config.v1.Listener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Instant;

/**
 * What a request is answered before any route is looked at: the refusal of a head that failed a
 * check, else the listener's {@code https_redirect}, else nothing (the request goes on to routing).
 *
 * <p>The redirect is nginx's {@code return 301 https://$host$request_uri}: {@code $host} is the
 * authority of an absolute-form target, else the Host header, without its port and in lower case
 * (an IPv6 literal keeps its brackets); the configured port is appended unless it is 443; the
 * request URI is sent back as received, query included. Both were checked before this runs (a Host
 * that is not an authority is 400, a target with a control byte is 400), so neither can bring a CR
 * or LF into the {@code Location}. The body is empty (nginx sends a small HTML page; clients follow
 * the {@code Location} alike). An HTTP/1.0 request without any Host is sent to the address it
 * arrived on, where nginx would use the server_name.
 *
 * <p>Static and stateless: called on the connection's event loop.
 */
final class BeforeRouting {
  private BeforeRouting() {}

  /**
   * @param malformed the status of a check the head failed, or null
   * @param clock read only when there is an answer to date: nearly every request has none
   * @return the response, or null when the request is to be routed
   */
  static FullHttpResponse answer(
      ChannelHandlerContext ctx,
      Listener listener,
      HttpRequest request,
      HttpResponseStatus malformed,
      Clock clock) {
    boolean head = request.method().equals(HttpMethod.HEAD);
    if (malformed != null) {
      return Responses.error(ctx.alloc(), malformed, head, true, clock.instant());
    }
    if (!listener.hasHttpsRedirect()) {
      return null;
    }
    Instant now = clock.instant();
    HttpsRedirect redirect = listener.getHttpsRedirect();
    String location =
        httpsLocation(
            RequestVariables.hostOf(request),
            HttpsRedirects.port(redirect),
            request.uri(),
            ctx.channel().localAddress());
    if (!HeaderValues.isSafe(location)) {
      return Responses.error(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, head, true, now);
    }
    FullHttpResponse response =
        Responses.text(
            ctx.alloc(),
            HttpResponseStatus.valueOf(HttpsRedirects.status(redirect)),
            "",
            "",
            head,
            now);
    response.headers().set(HttpHeaderNames.LOCATION, location);
    return response;
  }

  /**
   * {@code https://host[:port]/path?query}.
   *
   * @param host the request's host without its port, or empty when it named none
   * @param uri the request target as received: origin form, or absolute form whose scheme and
   *     authority are dropped, as nginx's {@code $request_uri} drops them
   */
  static String httpsLocation(String host, int port, String uri, SocketAddress local) {
    StringBuilder location = new StringBuilder(uri.length() + host.length() + 16);
    location.append("https://");
    location.append(host.isEmpty() ? addressOf(local) : host);
    if (port != HttpsRedirects.DEFAULT_PORT) {
      location.append(':').append(port);
    }
    return location.append(pathAndQuery(uri)).toString();
  }

  private static String pathAndQuery(String uri) {
    if (uri.startsWith("/")) {
      return uri;
    }
    int scheme = uri.indexOf("://");
    if (scheme >= 0) {
      int path = scheme + 3;
      while (path < uri.length() && "/?".indexOf(uri.charAt(path)) < 0) {
        path++;
      }
      String rest = uri.substring(path);
      return rest.startsWith("/") ? rest : "/" + rest;
    }
    return "/"; // OPTIONS *: the server itself, whose root is the nearest URL
  }

  private static String addressOf(SocketAddress local) {
    if (local instanceof InetSocketAddress inet && inet.getAddress() != null) {
      String ip = inet.getAddress().getHostAddress();
      return inet.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip;
    }
    return "localhost";
  }
}
