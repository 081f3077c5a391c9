package dev.wharf.cli.nginx;

import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.RedirectAction;
import dev.wharf.proto.config.v1.RespondAction;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.StaticAction;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code location} (and those nested in it) as routes. nginx's phases decide what a location
 * does, in this order: {@code internal}; {@code return} or a redirecting {@code rewrite}; access
 * control; then the content: {@code proxy_pass}, another handler, or files. Whatever answers first
 * makes the route's action.
 *
 * <p><b>Fail closed.</b> A location whose action cannot be translated still becomes a route with
 * its match, answering 503 (403 when access control is what cannot be translated), and is reported.
 * Leaving it out would send its requests to the next best route: a PHP location would fall through
 * to {@code location /} and serve the source.
 */
final class LocationTranslator {
  /** Directives that produce the response of a location (nginx content handlers). */
  private static final Set<String> HANDLERS =
      Set.of(
          "proxy_pass",
          "fastcgi_pass",
          "uwsgi_pass",
          "scgi_pass",
          "grpc_pass",
          "memcached_pass",
          "empty_gif",
          "stub_status",
          "js_content",
          "perl",
          "content_by_lua",
          "content_by_lua_block",
          "content_by_lua_file",
          "mp4",
          "flv",
          "dav_methods");

  /** Set per listener in Wharf: a value in a location is not used. */
  private static final List<String> LISTENER_SETTINGS =
      List.of("keepalive_timeout", "send_timeout", "client_body_timeout", "access_log");

  /** Why a location's action is not translated, and what its route answers instead. */
  private record Failure(int status, Directive cause, String reason) {}

  /** The outcome of one phase: go on to the next, the route's action is set, or failed. */
  private record Step(boolean done, Failure failure) {
    static final Step NEXT = new Step(false, null);
    static final Step DONE = new Step(true, null);

    static Step fail(int status, Directive cause, String reason) {
      return new Step(true, new Failure(status, cause, reason));
    }
  }

  private final Context context;
  private final Site site;

  LocationTranslator(Context context, Site site) {
    this.context = context;
    this.site = site;
  }

  void translate(Directive location, Scope outer, LocationMatch parent) {
    Ledger ledger = context.ledger();
    Either<LocationMatch> parsed = LocationMatch.parse(location);
    if (!parsed.ok()) {
      ledger.notTranslatedBlock(location, parsed.problem() + "; no route is made for it");
      return;
    }
    LocationMatch match = parsed.value();
    if (parent != null) {
      Optional<String> problem = nestingProblem(match, parent);
      if (problem.isPresent()) {
        ledger.notTranslatedBlock(location, problem.get() + "; no route is made for it");
        return;
      }
      ledger.check(
          location,
          "nested in 'location "
              + parent.text()
              + "': Wharf routes are "
              + "flat, so it is matched on its own, as if written at the top");
    } else {
      ledger.translated(location);
    }
    Scope scope = outer.inner(location.children());
    Route.Builder route =
        context.routes().add(site, Routes.base(match), match.path(), location.origin());
    Optional<Failure> failure = content(match, scope, route);
    if (failure.isPresent()) {
      failClosed(location, route, failure.get());
      return;
    }
    for (String name : LISTENER_SETTINGS) {
      scope
          .own(name)
          .forEach(
              d ->
                  ledger.notTranslated(
                      d, "Wharf sets " + name + " per listener, not per location"));
    }
    for (Directive nested : scope.own("location")) {
      translate(nested, scope, match);
    }
  }

  /** Sets the route's action, or says why it cannot. */
  private Optional<Failure> content(LocationMatch match, Scope scope, Route.Builder route) {
    Ledger ledger = context.ledger();
    Optional<Directive> internal = scope.ownFirst("internal");
    if (internal.isPresent()) {
      ledger.translated(internal.get());
      answered(scope, route, respond(404), "internal: clients get 404");
      return Optional.empty();
    }
    Step rewritePhase = rewritePhase(match, scope, route);
    if (rewritePhase.done()) {
      return Optional.ofNullable(rewritePhase.failure());
    }
    if (Access.deniesAll(scope, ledger)) {
      answered(scope, route, respond(403), "deny all answers 403 first");
      return Optional.empty();
    }
    Optional<Access.Refusal> denied = Access.translate(scope, ledger, route);
    if (denied.isPresent()) {
      return Optional.of(new Failure(403, denied.get().cause(), denied.get().reason()));
    }
    Rewrites rewrite = scope.ownFirst("rewrite").map(Rewrites::of).orElse(null);
    Optional<Directive> handler =
        scope.own().stream().filter(d -> HANDLERS.contains(d.name())).findFirst();
    if (handler.isPresent() && handler.get().name().equals("proxy_pass")) {
      return proxy(handler.get(), match, rewrite, scope, route);
    }
    if (handler.isPresent()) {
      return Optional.of(new Failure(503, handler.get(), Catalog.sweep(handler.get()).reason()));
    }
    if (rewrite != null) {
      return Optional.of(
          new Failure(
              503,
              rewrite.directive(),
              "Wharf routes that serve files " + "do not rewrite the path"));
    }
    Either<StaticAction> files = StaticFiles.action(scope, match, ledger);
    if (!files.ok()) {
      return Optional.of(new Failure(503, null, files.problem())); // the reason names the cause
    }
    route.setStatic(files.value());
    responseParts(scope, route, false);
    RateLimits.route(scope, ledger, route, context.rateLimitZones());
    return Optional.empty();
  }

  /** {@code return} and {@code rewrite}: the route redirects or responds, or goes on. */
  private Step rewritePhase(LocationMatch match, Scope scope, Route.Builder route) {
    Ledger ledger = context.ledger();
    List<Directive> rewrites = scope.own("rewrite");
    Optional<Directive> ret = scope.ownFirst("return");
    if (ret.isPresent() && !rewrites.isEmpty()) {
      return Step.fail(
          503, rewrites.get(0), "rewrite and return in one " + "location; translate it by hand");
    }
    if (ret.isPresent()) {
      Optional<String> problem = Returns.apply(ret.get(), match.groups(), scope, ledger, route);
      if (problem.isPresent()) {
        return Step.fail(503, ret.get(), problem.get());
      }
      ledger.translated(ret.get());
      answered(
          scope, route, null, "the return at line " + ret.get().origin().line() + " answers first");
      return Step.DONE;
    }
    if (rewrites.size() > 1) {
      return Step.fail(
          503,
          rewrites.get(1),
          "Wharf routes have one rewrite; "
              + "nginx tries this one when the one before it does not match");
    }
    if (rewrites.isEmpty()) {
      return Step.NEXT;
    }
    Rewrites rewrite = Rewrites.of(rewrites.get(0));
    Optional<String> syntax = rewrite.syntaxProblem();
    if (syntax.isPresent()) {
      return Step.fail(503, rewrite.directive(), syntax.get());
    }
    if (rewrite.isRedirect()) {
      Either<RedirectAction> redirect = rewrite.redirect(match);
      if (!redirect.ok()) {
        return Step.fail(503, rewrite.directive(), redirect.problem());
      }
      route.setRedirect(redirect.value());
      if (rewrite.keepsOwnArguments()) {
        ledger.check(
            rewrite.directive(),
            "nginx appends the request's arguments after '&'; "
                + "Wharf sends only the replacement's");
      } else {
        ledger.translated(rewrite.directive());
      }
      answered(
          scope,
          route,
          null,
          "the rewrite at line " + rewrite.directive().origin().line() + " redirects first");
      return Step.DONE;
    }
    if (!rewrite.isBreak()) {
      return Step.fail(
          503,
          rewrite.directive(),
          "nginx matches the new path "
              + "against the locations again; a Wharf route cannot hand a request to another");
    }
    return Step.NEXT;
  }

  private Optional<Failure> proxy(
      Directive proxyPass,
      LocationMatch match,
      Rewrites rewrite,
      Scope scope,
      Route.Builder route) {
    Optional<Directive> tryFiles = scope.ownFirst("try_files");
    if (tryFiles.isPresent()) {
      return Optional.of(
          new Failure(
              503,
              tryFiles.get(),
              "try_files before proxy_pass looks "
                  + "for files first; Wharf routes either serve files or proxy"));
    }
    Either<ProxyAction> proxy =
        new ProxyRoutes(context.upstreams(), context.ledger())
            .action(proxyPass, match, rewrite, scope);
    if (!proxy.ok()) {
      return Optional.of(new Failure(503, proxyPass, proxy.problem()));
    }
    route.setProxy(proxy.value());
    Headers.request(scope, context.ledger(), route);
    String written =
        ProxyPassUrl.withHostResolved(proxyPass.arg(0), scope, context.ledger(), proxyPass);
    Headers.defaultHost(ProxyPassUrl.parse(written).value(), route);
    // nginx's auto_redirect: /static for location /static/ is answered 301 to /static/.
    route.setSlashRedirect(
        !match.isRegex() && match.value().length() > 1 && match.value().endsWith("/"));
    responseParts(scope, route, true);
    RateLimits.route(scope, context.ledger(), route, context.rateLimitZones());
    return Optional.empty();
  }

  /** The route answers by itself; what would have made the content is not needed. */
  private void answered(Scope scope, Route.Builder route, RespondAction respond, String why) {
    if (respond != null) {
      route.setRespond(respond);
    }
    responseParts(scope, route, false);
    for (Directive d : scope.own()) {
      if (HANDLERS.contains(d.name())
          || d.name().startsWith("proxy_")
          || Set.of("root", "alias", "index", "try_files", "types", "default_type", "gzip_static")
              .contains(d.name())) {
        context.ledger().notNeeded(d, why);
      }
    }
  }

  private void responseParts(Scope scope, Route.Builder route, boolean proxied) {
    responseParts(scope, context.ledger(), route, proxied);
  }

  /** What applies to every response of a route, whatever its action. */
  static void responseParts(Scope scope, Ledger ledger, Route.Builder route, boolean proxied) {
    Headers.response(scope, ledger, route, proxied);
    ErrorPages.apply(scope, ledger, route, proxied);
    scope
        .nearest("client_max_body_size")
        .ifPresent(
            d ->
                Values.size(d.arg(0))
                    .ifPresentOrElse(
                        size -> {
                          route.setMaxBodySize(size);
                          ledger.translated(d);
                        },
                        () -> ledger.notTranslated(d, "'" + d.arg(0) + "' is not a size")));
    Compressions.effective(scope, ledger).ifPresent(route::setCompression);
  }

  private void failClosed(Directive location, Route.Builder route, Failure f) {
    route
        .clearRequestHeaders()
        .clearResponseHeaders()
        .clearCompression()
        .clearMaxBodySize()
        .clearErrorPages()
        .clearInterceptErrors()
        .setRespond(respond(f.status()));
    String answer = "the route answers " + f.status() + " until it is translated by hand";
    if (f.cause() == null || isInside(f.cause(), location)) {
      String cause =
          f.cause() == null ? "" : f.cause().text() + " (line " + f.cause().origin().line() + "): ";
      context.ledger().notTranslatedBlock(location, cause + f.reason() + "; " + answer);
    } else {
      context
          .ledger()
          .notTranslated(f.cause(), f.reason() + "; the routes it applies to answer " + f.status());
      context
          .ledger()
          .notTranslatedBlock(
              location, f.cause().text() + " (" + f.cause().origin() + ") applies here; " + answer);
    }
  }

  private static Optional<String> nestingProblem(LocationMatch inner, LocationMatch parent) {
    if (parent.isRegex() || parent.path().hasExact()) {
      return Optional.of(
          "nested in 'location "
              + parent.text()
              + "': Wharf routes are flat, "
              + "and only a prefix location can be flattened");
    }
    if (inner.isRegex()) {
      return Optional.of(
          "a regex location nested in 'location "
              + parent.text()
              + "' applies "
              + "only below it in nginx; Wharf routes are flat, so write one regex that includes "
              + "the prefix");
    }
    if (!inner.value().startsWith(parent.value())) {
      return Optional.of(
          "outside its parent 'location " + parent.text() + "', which nginx " + "refuses");
    }
    return Optional.empty();
  }

  private static boolean isInside(Directive d, Directive block) {
    for (Directive child : block.children()) {
      if (child == d || isInside(d, child)) {
        return true;
      }
    }
    return false;
  }

  private static RespondAction respond(int status) {
    return RespondAction.newBuilder().setStatus(status).build();
  }
}
