package dev.wharf.dataplane.routing;

import com.google.re2j.Pattern;
import dev.wharf.config.LinearRegex;
import dev.wharf.config.PathMatches;
import dev.wharf.proto.config.v1.PathMatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.MatchResult;

/**
 * The routes of one virtual host, chosen for a path exactly as nginx chooses a {@code location}: an
 * exact match wins; otherwise the longest matching prefix is remembered, and wins at once if it is
 * a {@code ^~} prefix; otherwise the regexes are tried in config order and the first match wins;
 * otherwise the remembered prefix is used.
 *
 * <p>The table is a {@link Layout} of the routes' path matches, whose entries name a slot (the
 * route's position in the virtual host), and the routes in those slots. A change that leaves every
 * path match in place (a route's headers, upstream or limits changed) makes a table that shares the
 * layout and only has other routes in some slots ({@link #withRoutes}): its cost is the slots, not
 * the parsing of paths and regexes again.
 *
 * <p>Immutable once built; lookups take no lock.
 */
final class LocationTable<R> {
  private record Prefix(int slot, boolean noRegex) {}

  private record Regex(Pattern pattern, int slot) {}

  /** The path matches of the routes in slot order, arranged for lookup; immutable once built. */
  private static final class Layout {
    final Map<String, Integer> exact = new HashMap<>();
    final PrefixTrie<Prefix> prefixes = new PrefixTrie<>();
    final List<Regex> regexes = new ArrayList<>();

    /** nginx's automatic 301: by the path without its last slash, the slot that redirects. */
    final Map<String, Integer> slashless = new HashMap<>();

    /** Whether a slot's route answers a slash redirect (a value of {@link #slashless}). */
    final boolean[] redirects;

    Layout(int slots) {
      redirects = new boolean[slots];
    }
  }

  private final Layout layout;

  /** The route in each slot. */
  private final Object[] routes;

  /** The slash redirect standing for each slot's route; null for a slot without one. */
  private final Object[] redirects;

  private LocationTable(Layout layout, Object[] routes, Object[] redirects) {
    this.layout = layout;
    this.routes = routes;
    this.redirects = redirects;
  }

  /**
   * The table of {@code routes} in config order, each with its validated, set path {@code match}.
   * Of two routes with the same match the first is chosen (the validator refuses such a config); a
   * route with {@code slashRedirect} (validated: its prefix or exact path ends in {@code /}) also
   * answers the path without it with {@code redirect.apply(route)}, the first such route for a
   * path.
   */
  static <R> LocationTable<R> of(
      List<R> routes,
      Function<R, PathMatch> match,
      Predicate<R> slashRedirect,
      UnaryOperator<R> redirect) {
    Layout layout = new Layout(routes.size());
    Set<String> taken = new HashSet<>();
    for (int slot = 0; slot < routes.size(); slot++) {
      R route = routes.get(slot);
      PathMatch m = match.apply(route);
      if (!taken.add(PathMatches.sameMatchKey(m))) {
        continue;
      }
      String value = PathMatches.value(m);
      if (PathMatches.isRegex(m)) {
        layout.regexes.add(new Regex(PathMatches.compile(m), slot));
      } else if (PathMatches.isPrefix(m)) {
        layout.prefixes.put(value, new Prefix(slot, m.hasPrefixNoRegex()));
      } else {
        layout.exact.put(value, slot);
      }
      if (slashRedirect.test(route)) { // validated: an exact or prefix path ending in /
        String slashless = value.substring(0, value.length() - 1);
        if (layout.slashless.putIfAbsent(slashless, slot) == null) {
          layout.redirects[slot] = true;
        }
      }
    }
    Object[] slots = routes.toArray();
    Object[] redirects = new Object[slots.length];
    for (int slot = 0; slot < slots.length; slot++) {
      if (layout.redirects[slot]) {
        redirects[slot] = redirect.apply(routes.get(slot));
      }
    }
    return new LocationTable<>(layout, slots, redirects);
  }

  /**
   * This table with {@code routes} in its slots: the caller has checked that each route that is not
   * the one in its slot already has the same path match and slash-redirect setting, so the table is
   * the one {@link #of} would build for them. Redirects are made again only for routes that differ.
   */
  LocationTable<R> withRoutes(List<R> routes, UnaryOperator<R> redirect) {
    if (routes.size() != this.routes.length) {
      throw new IllegalArgumentException(
          routes.size() + " routes for a table of " + this.routes.length + " slots");
    }
    Object[] slots = routes.toArray();
    Object[] next = Arrays.copyOf(redirects, redirects.length);
    for (int slot = 0; slot < slots.length; slot++) {
      if (layout.redirects[slot] && slots[slot] != this.routes[slot]) {
        next[slot] = redirect.apply(routes.get(slot));
      }
    }
    return new LocationTable<>(layout, slots, next);
  }

  /** The route for {@code uri} (a normalised path) with the regex groups it matched, or null. */
  Selection<R> select(String uri) {
    Integer exactSlot = layout.exact.get(uri);
    if (exactSlot != null) {
      return new Selection<>(route(exactSlot), null);
    }
    // nginx answers the redirect before it looks at regexes; a prefix of exactly this path wins.
    Integer redirect = layout.slashless.get(uri);
    if (redirect != null && layout.prefixes.get(uri) == null) {
      return new Selection<>(redirectAt(redirect), null);
    }
    Prefix prefix = layout.prefixes.longestPrefixOf(uri);
    if (prefix != null && prefix.noRegex()) {
      return new Selection<>(route(prefix.slot()), null);
    }
    for (Regex regex : layout.regexes) {
      MatchResult groups = LinearRegex.find(regex.pattern(), uri);
      if (groups != null) {
        return new Selection<>(route(regex.slot()), groups);
      }
    }
    return prefix == null ? null : new Selection<>(route(prefix.slot()), null);
  }

  @SuppressWarnings("unchecked") // every slot holds an R: of() and withRoutes() fill them from R
  private R route(int slot) {
    return (R) routes[slot];
  }

  @SuppressWarnings("unchecked") // filled from redirect.apply(R)
  private R redirectAt(int slot) {
    return (R) redirects[slot];
  }

  /** A chosen route, and the groups of its regex when a regex chose it (else null). */
  record Selection<R>(R route, MatchResult groups) {}
}
