package dev.wharf.cli.nginx;

import com.google.protobuf.Duration;
import dev.wharf.config.Variables;
import dev.wharf.proto.config.v1.PathRewrite;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.UpstreamTls;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A location with {@code proxy_pass} as a proxy action, following nginx's rules for the URI sent
 * upstream:
 *
 * <ul>
 *   <li>{@code proxy_pass http://b;} (no URI part): the request URI goes unchanged, or as a {@code
 *       rewrite ... break} changed it;
 *   <li>{@code proxy_pass http://b/v1/;} (a URI part) in {@code location /api/}: the part the
 *       location matched is replaced by the URI, {@code /api/x} goes as {@code /v1/x}; expressed as
 *       the rewrite {@code ^/api/(.*)} to {@code /v1/$1};
 *   <li>a URI part after a {@code rewrite ... break}: ignored, as nginx ignores it.
 * </ul>
 */
final class ProxyRoutes {
  private final Upstreams upstreams;
  private final Ledger ledger;

  ProxyRoutes(Upstreams upstreams, Ledger ledger) {
    this.upstreams = upstreams;
    this.ledger = ledger;
  }

  /** The proxy action; or why there is none (nothing is recorded then). */
  Either<ProxyAction> action(
      Directive proxyPass, LocationMatch match, Rewrites rewrite, Scope scope) {
    String written = ProxyPassUrl.withHostResolved(proxyPass.arg(0), scope, ledger, proxyPass);
    Either<ProxyPassUrl> url = ProxyPassUrl.parse(written);
    if (!url.ok()) {
      return Either.problem(url.problem());
    }
    Optional<UpstreamTls> tls =
        url.value().tls()
            ? Optional.of(UpstreamTlsSettings.of(proxyPass, scope, ledger))
            : Optional.empty();
    Either<String> upstream = upstreams.resolve(url.value(), tls, proxyPass.origin());
    if (!upstream.ok()) {
      return Either.problem(upstream.problem());
    }
    ProxyAction.Builder p = ProxyAction.newBuilder().setUpstream(upstream.value());
    String uri = url.value().uri();
    if (url.value().variables()) {
      Either<String> template = uriTemplate(uri, match, rewrite);
      if (!template.ok()) {
        return Either.problem(template.problem());
      }
      p.setUri(template.value());
      ledger.translated(proxyPass);
      uri = null; // the whole target: nothing of the location is replaced
    } else if (rewrite != null) {
      Either<PathRewrite> r = rewrite.pathRewrite();
      if (!r.ok()) {
        return Either.problem(r.problem());
      }
      p.setRewrite(r.value());
      ledger.translated(rewrite.directive());
    } else if (uri != null) {
      Either<Optional<PathRewrite>> r = uriRewrite(match, uri);
      if (!r.ok()) {
        return Either.problem(r.problem());
      }
      r.value().ifPresent(p::setRewrite);
    }
    if (url.value().variables()) {
      // recorded above
    } else if (rewrite != null && uri != null) {
      ledger.check(
          proxyPass,
          "nginx ignores the URI part "
              + uri
              + " after rewrite ... break, "
              + "and so does this route");
    } else {
      ledger.translated(proxyPass);
    }
    time(scope, "proxy_connect_timeout", p::setConnectTimeout);
    time(scope, "proxy_read_timeout", p::setReadTimeout);
    time(scope, "proxy_send_timeout", p::setSendTimeout);
    if (relaysWebSockets(scope)) {
      scope
          .nearest("proxy_read_timeout")
          .filter(ledger::isTranslated)
          .ifPresent(
              d ->
                  ledger.check(
                      d,
                      "nginx also closed idle WebSockets after it; Wharf closes them "
                          + "after proxy.websocket.idle_timeout (default 1h)"));
    }
    scope
        .nearest("proxy_http_version")
        .ifPresent(
            d -> {
              if (d.arg(0).equals("1.1")) {
                ledger.notNeeded(d, "Wharf always speaks HTTP/1.1 to endpoints");
              } else {
                ledger.notTranslated(d, "Wharf always speaks HTTP/1.1 to endpoints");
              }
            });
    new NextUpstreams(ledger).translate(scope, p);
    new ProxyRedirects(ledger)
        .translate(scope, written, url.value(), proxyPass.arg(0).contains("$"), match, p);
    return Either.of(p.build());
  }

  /**
   * A URI part with variables is the whole target nginx sends (the location's part is not replaced,
   * the arguments are not added): a Wharf {@code proxy.uri}.
   */
  private static Either<String> uriTemplate(String uri, LocationMatch match, Rewrites rewrite) {
    if (rewrite != null) {
      return Either.problem(
          "a rewrite before a proxy_pass whose URI has variables; translate it by hand");
    }
    Optional<String> problem = Templates.problem(uri, Variables.Phase.REQUEST, match.groups());
    return problem.isPresent() ? Either.problem(problem.get()) : Either.of(uri);
  }

  /** True when the location sets the Upgrade header: nginx's way to relay WebSockets. */
  private static boolean relaysWebSockets(Scope scope) {
    return scope.nearestAll("proxy_set_header").stream()
        .anyMatch(d -> d.arg(0).equalsIgnoreCase("upgrade"));
  }

  /** nginx's replacement of the matched location part by the URI part, as a rewrite. */
  private static Either<Optional<PathRewrite>> uriRewrite(LocationMatch match, String uri) {
    if (match.isRegex()) {
      return Either.problem("nginx refuses a URI part in proxy_pass in a regex location");
    }
    String path = match.value();
    if (uri.equals(path)) {
      return Either.of(Optional.empty()); // replaced by itself
    }
    PathRewrite.Builder r = PathRewrite.newBuilder();
    if (match.path().hasExact()) {
      r.setRegex("^" + quote(path) + "$").setReplacement(uri);
    } else {
      r.setRegex("^" + quote(path) + "(.*)").setReplacement(uri + "$1");
    }
    return Either.of(Optional.of(r.build()));
  }

  /** {@code literal} as a regex that matches exactly it. */
  static String quote(String literal) {
    return literal.replaceAll("[\\\\.^$|?*+()\\[\\]{}]", "\\\\$0");
  }

  private void time(Scope scope, String name, Consumer<Duration> set) {
    scope
        .nearest(name)
        .ifPresent(
            d ->
                Values.time(d.arg(0))
                    .filter(t -> t.getSeconds() > 0 || t.getNanos() > 0)
                    .ifPresentOrElse(
                        t -> {
                          set.accept(t);
                          ledger.translated(d);
                        },
                        () ->
                            ledger.notTranslated(
                                d, "'" + d.arg(0) + "' is not a time above zero")));
  }

  /**
   * The data plane's retry rule (RetryPolicy), as docs/migrating-from-nginx.md words it: what
   * nginx's {@code error timeout} does and nothing more.
   */
  static final String RETRY_RULE =
      "Wharf tries another endpoint as nginx's 'error timeout' does: after a failed connect, "
          + "and for a sent idempotent request (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) none of "
          + "whose body was forwarded, when the endpoint reset or closed the connection or timed "
          + "out before any of the response reached the client";
}
