package dev.wharf.dataplane.proxy;

import dev.wharf.config.LinearRegex;
import dev.wharf.dataplane.http.HeaderValues;
import dev.wharf.dataplane.http.HopByHop;
import dev.wharf.dataplane.http.RequestTarget;
import dev.wharf.dataplane.http.TemplateRenderer;
import dev.wharf.dataplane.http.UriPaths;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.regex.MatchResult;

/** Builds the request head sent to an endpoint from the one the client sent. */
final class UpstreamRequests {
  private UpstreamRequests() {}

  /**
   * The head for the endpoint: HTTP/1.1, the rewritten or original target, the client's headers
   * without hop-by-hop ones and {@code Expect} (Wharf answers {@code 100 Continue} itself), the
   * upgrade headers of a WebSocket handshake, then the route's header rules. The client's {@code
   * Host} is kept unless a rule sets another; a client that sent none (HTTP/1.0) has the endpoint's
   * address sent.
   *
   * @param variables request and upstream phase variables ({@code $upstream_addr} is known)
   */
  static HttpRequest build(
      HttpRequest client,
      RequestTarget target,
      ProxyTarget proxy,
      MatchResult routeGroups,
      TemplateRenderer.VariableSource variables,
      boolean webSocket) {
    HttpRequest up =
        new DefaultHttpRequest(
            HttpVersion.HTTP_1_1,
            client.method(),
            proxy.uri() != null
                ? UriTemplates.render(proxy.uri(), variables, routeGroups)
                : targetFor(client, target, proxy, variables),
            client.headers().copy());
    HopByHop.strip(up);
    up.headers().remove(HttpHeaderNames.EXPECT);
    if (!up.headers().contains(HttpHeaderNames.HOST)) {
      // HTTP/1.0 may come without a Host; the HTTP/1.1 request made of it must have one (RFC
      // 9112 3.2). The endpoint's address, as nginx's default Host, $proxy_host, would be.
      up.headers().set(HttpHeaderNames.HOST, endpointAddress(variables));
    }
    if (webSocket) {
      up.headers()
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
          .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }
    proxy.requestHeaders().apply(up.headers(), variables, routeGroups);
    return up;
  }

  /** The address of the endpoint this attempt goes to: the last of {@code $upstream_addr}. */
  private static String endpointAddress(TemplateRenderer.VariableSource variables) {
    String tried = variables.get("upstream_addr");
    return tried.substring(tried.lastIndexOf(", ") + 1).strip();
  }

  /**
   * nginx semantics: without a rewrite the target goes as the client sent it (origin form). With
   * {@code rewrite REGEX REPLACEMENT break}, a path the regex finds is replaced, percent- encoded
   * again, and the query string appended unless the replacement brought its own ({@code ?} at its
   * end drops it).
   */
  static String targetFor(
      HttpRequest client,
      RequestTarget target,
      ProxyTarget proxy,
      TemplateRenderer.VariableSource variables) {
    MatchResult m =
        proxy.rewrite() == null ? null : LinearRegex.find(proxy.rewrite(), target.path());
    if (m == null) {
      String uri = client.uri();
      if (uri.startsWith("/")) {
        return uri;
      }
      String query = target.query();
      return UriPaths.encode(target.path()) + (query.isEmpty() ? "" : "?" + query);
    }
    String replaced = TemplateRenderer.render(proxy.replacement(), variables, m);
    int question = replaced.indexOf('?');
    String path = question < 0 ? replaced : replaced.substring(0, question);
    // Captures are decoded: CR, LF or a space in the query would split the request line.
    String ownArgs =
        question < 0
            ? null
            : HeaderValues.encodeUnsafe(replaced.substring(question + 1)).replace(" ", "%20");
    if (path.isEmpty() || path.charAt(0) != '/') {
      path = "/" + path;
    }
    String args;
    if (ownArgs == null) {
      args = target.query();
    } else if (ownArgs.isEmpty()) {
      args = ""; // "...?" at the end: drop the client's arguments
    } else {
      args = target.query().isEmpty() ? ownArgs : ownArgs + "&" + target.query();
    }
    return UriPaths.encode(path) + (args.isEmpty() ? "" : "?" + args);
  }
}
