package dev.wharf.cli.nginx;

import dev.wharf.config.PathMatches;
import dev.wharf.proto.config.v1.Compression;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.RouteMatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The routes of the imported config in the order they were made, each named uniquely after its
 * server and location ({@code api}, {@code exact-login}, {@code test.com-websocket}).
 */
final class Routes {
  /** A route being built, and where it came from. */
  record Draft(Route.Builder route, Site site, Origin origin) {}

  private final List<Draft> drafts = new ArrayList<>();
  private final Names names = new Names();

  /** A new route of {@code site} matching {@code path}, already in the list. */
  Route.Builder add(Site site, String base, PathMatch path, Origin origin) {
    String name = names.unique(site.namePrefix() == null ? base : site.namePrefix() + "-" + base);
    Route.Builder route =
        Route.newBuilder()
            .setName(name)
            .setMatch(RouteMatch.newBuilder().addAllHosts(site.hosts()).setPath(path));
    drafts.add(new Draft(route, site, origin));
    return route;
  }

  /** The name base of a route for a location: {@code api-v1}, {@code exact-root}... */
  static String base(LocationMatch m) {
    String slug = Names.slug(m.value());
    if (m.path().hasExact()) {
      return "exact-" + (slug.isEmpty() ? "root" : slug);
    }
    if (PathMatches.isRegex(m.path())) {
      return slug.isEmpty() ? "regex" : "regex-" + slug;
    }
    return slug.isEmpty() ? "root" : slug;
  }

  /** Removes the routes {@code which} selects. */
  void drop(java.util.function.Predicate<Draft> which) {
    drafts.removeIf(which);
  }

  List<Draft> drafts() {
    return List.copyOf(drafts);
  }

  /**
   * The compression every route with a body to compress has, when they all have the same, so it can
   * be the listeners' instead of each route's. Redirects and empty responses (such as the 503 of a
   * route that is not translated) have nothing to compress and do not count.
   */
  Optional<Compression> shared() {
    List<Route.Builder> bodies =
        drafts.stream()
            .map(Draft::route)
            .filter(
                r -> !r.hasRedirect() && !(r.hasRespond() && r.getRespond().getBody().isEmpty()))
            .toList();
    if (bodies.isEmpty() || !bodies.get(0).hasCompression()) {
      return Optional.empty();
    }
    Compression first = bodies.get(0).getCompression();
    boolean same =
        bodies.stream().allMatch(r -> r.hasCompression() && r.getCompression().equals(first));
    return same ? Optional.of(first) : Optional.empty();
  }

  /**
   * The finished routes: compression dropped when the listeners have it, listeners named only when
   * there are several.
   */
  List<Route> build(boolean listenersHaveCompression, boolean severalListeners) {
    List<Route> out = new ArrayList<>();
    for (Draft d : drafts) {
      Route.Builder r = d.route().clone();
      if (listenersHaveCompression) {
        r.clearCompression();
      }
      if (severalListeners) {
        r.addAllListeners(d.site().listeners());
      }
      out.add(r.build());
    }
    return out;
  }
}
