package dev.wharf.cli.nginx;

import dev.wharf.config.HostPatterns;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.RedirectAction;
import dev.wharf.proto.config.v1.RespondAction;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.StaticAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One {@code server} as routes on its listeners, each route matching the server's names. What runs
 * before nginx picks a location comes first: a {@code rewrite} that redirects becomes a regex route
 * ahead of the locations' routes; a {@code return} answers every request, so the server becomes one
 * route for {@code /} and its locations are never reached. A server with no location serves its
 * {@code root}, as nginx does.
 */
final class ServerTranslator {
  private final Context context;
  private final boolean severalServers;

  ServerTranslator(Context context, boolean severalServers) {
    this.context = context;
    this.severalServers = severalServers;
  }

  void translate(Directive server, Scope http) {
    Ledger ledger = context.ledger();
    Scope scope = http.inner(server.children());
    List<String> hosts = serverNames(scope);
    List<String> listeners = context.listeners().forServer(server, scope, hosts);
    if (listeners.isEmpty()) {
      ledger.notTranslatedBlock(
          server,
          "none of its listen directives can be a Wharf "
              + "listener, so nothing of it is translated");
      return;
    }
    ledger.translated(server);
    String prefix =
        severalServers ? Names.sanitize(hosts.isEmpty() ? "default" : hosts.get(0)) : null;
    Site site = new Site(server, hosts, listeners, prefix);
    scope.own("rewrite").forEach(d -> rewrite(d, site));
    Optional<Directive> ret = scope.ownFirst("return");
    if (ret.isPresent()) {
      serverReturn(ret.get(), scope, site);
      return;
    }
    List<Directive> locations = scope.own("location");
    LocationTranslator translator = new LocationTranslator(context, site);
    locations.forEach(location -> translator.translate(location, scope, null));
    if (locations.isEmpty()) {
      filesOfServer(scope, site);
    } else {
      scope
          .ownFirst("try_files")
          .ifPresent(
              d ->
                  ledger.notTranslated(
                      d,
                      "a server-level "
                          + "try_files applies only to requests that no location matches"));
    }
  }

  private List<String> serverNames(Scope scope) {
    List<String> hosts = new ArrayList<>();
    for (Directive d : scope.own("server_name")) {
      List<String> refused = new ArrayList<>();
      List<String> regexReasons = new ArrayList<>();
      for (String name : d.args()) {
        String host = name.startsWith("~") ? name : name.toLowerCase(Locale.ROOT);
        if (host.equals("_") || host.isEmpty()) {
          continue; // nginx's idiom for "no name": the route matches every host
        }
        Optional<String> problem =
            host.startsWith("$") ? Optional.empty() : HostPatterns.problem(host);
        if (host.startsWith("~") && problem.isPresent()) {
          regexReasons.add(name + ": " + problem.get());
        }
        if (host.startsWith("$") || problem.isPresent()) {
          refused.add(name);
        } else if (!hosts.contains(host)) {
          hosts.add(host);
        }
      }
      if (refused.isEmpty()) {
        context.ledger().translated(d);
      } else {
        context
            .ledger()
            .notTranslated(
                d,
                "Wharf cannot match the names "
                    + String.join(" ", refused)
                    + "; requests for them go to the default server"
                    + (regexReasons.isEmpty() ? "" : " (" + String.join("; ", regexReasons) + ")"));
      }
    }
    Optional<Directive> first = scope.ownFirst("server_name");
    if (first.isPresent()
        && context.ledger().isTranslated(first.get())
        && dropsItsFirstName(first.get(), scope)) {
      String wharfs = hosts.isEmpty() ? "" : hosts.get(0);
      context.ledger().check(first.get(), FIRST_NAME_DROPPED.formatted(first.get().arg(0), wharfs));
    }
    return hosts;
  }

  private static final String FIRST_NAME_DROPPED =
      "nginx's $server_name here is \"%s\", the server's first name, which matches no host and is"
          + " not kept as one: Wharf's $server_name is the route's first host, \"%s\", where it"
          + " is used (a header, a log line, a limit key; an empty key limits nothing); write the"
          + " name itself there instead";

  /**
   * Whether the server's first name, nginx's {@code $server_name}, is one the import drops ({@code
   * _}, {@code ""}) while the server uses {@code $server_name}: Wharf's would then be "".
   */
  private static boolean dropsItsFirstName(Directive serverName, Scope scope) {
    String first = serverName.args().isEmpty() ? "_" : serverName.arg(0);
    return (first.equals("_") || first.isEmpty()) && scope.mentions("$server_name");
  }

  /** A redirecting rewrite becomes a regex route of its own regex; others cannot be. */
  private void rewrite(Directive d, Site site) {
    Rewrites rewrite = Rewrites.of(d);
    Optional<String> syntax = rewrite.syntaxProblem();
    if (syntax.isPresent()) {
      context.ledger().notTranslated(d, syntax.get());
      return;
    }
    if (!rewrite.isRedirect()) {
      context
          .ledger()
          .notTranslated(
              d,
              "a server-level rewrite changes the path before a "
                  + "location is chosen; Wharf routes cannot");
      return;
    }
    Either<RedirectAction> redirect = rewrite.redirect(null);
    if (!redirect.ok()) {
      context.ledger().notTranslated(d, redirect.problem());
      return;
    }
    String slug = Names.slug(rewrite.regex());
    context
        .routes()
        .add(
            site,
            slug.isEmpty() ? "rewrite" : "rewrite-" + slug,
            PathMatch.newBuilder().setRegex(rewrite.regex()).build(),
            d.origin())
        .setRedirect(redirect.value());
    context
        .ledger()
        .check(
            d,
            "a regex route now: nginx applies a server-level rewrite "
                + "before choosing a location, Wharf's exact and ^~ routes win over a regex route");
  }

  private void serverReturn(Directive ret, Scope scope, Site site) {
    Ledger ledger = context.ledger();
    Route.Builder action = Route.newBuilder();
    Optional<String> problem = Returns.apply(ret, -1, scope, ledger, action);
    String base = action.hasRedirect() ? "redirect" : "respond";
    Route.Builder route =
        context
            .routes()
            .add(site, base, PathMatch.newBuilder().setPrefix("/").build(), ret.origin());
    if (problem.isPresent()) {
      route.setRespond(RespondAction.newBuilder().setStatus(503));
      ledger.notTranslated(
          ret, problem.get() + "; the server answers 503 until it is " + "translated by hand");
    } else {
      route.mergeFrom(action.build());
      Headers.response(scope, ledger, route, false);
      ErrorPages.apply(scope, ledger, route, false);
      ledger.translated(ret);
      if (scope.own("rewrite").isEmpty() && scope.nearestAll("add_header").isEmpty()) {
        HttpsRedirects.of(ret)
            .ifPresent(r -> context.listeners().redirectsToHttps(site.server(), r, ret));
      }
    }
    for (Directive location : scope.own("location")) {
      ledger.notNeededBlock(
          location,
          "the server's return (line "
              + ret.origin().line()
              + ") answers every request before a location is chosen");
    }
  }

  private void filesOfServer(Scope scope, Site site) {
    Ledger ledger = context.ledger();
    if (scope.nearest("root").isEmpty()) {
      ledger.check(
          site.server(),
          "no location and no root: nginx serves files from 'html' "
              + "below its prefix; no route is made");
      return;
    }
    Either<StaticAction> files = StaticFiles.action(scope, null, ledger);
    if (!files.ok()) {
      ledger.check(site.server(), files.problem() + "; no route is made");
      return;
    }
    Route.Builder route =
        context
            .routes()
            .add(
                site, "root", PathMatch.newBuilder().setPrefix("/").build(), site.server().origin())
            .setStatic(files.value());
    LocationTranslator.responseParts(scope, ledger, route, false);
    RateLimits.route(scope, ledger, route, context.rateLimitZones());
  }
}
