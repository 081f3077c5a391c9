package dev.wharf.dataplane.routing;

import com.google.re2j.Pattern;
import dev.wharf.config.LinearRegex;
import dev.wharf.config.PathMatches;
import dev.wharf.proto.config.v1.PathMatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.MatchResult;

/**
 * The routes of one virtual host, chosen for a path exactly as nginx chooses a {@code location}: an
 * exact match wins; otherwise the longest matching prefix is remembered, and wins at once if it is
 * a {@code ^~} prefix; otherwise the regexes are tried in config order and the first match wins;
 * otherwise the remembered prefix is used.
 *
 * <p>Immutable once built; lookups take no lock.
 */
final class LocationTable<R> {
  private record Prefix<R>(R route, boolean noRegex) {}

  private record Regex<R>(Pattern pattern, R route) {}

  private final Map<String, R> exact = new HashMap<>();
  private final PrefixTrie<Prefix<R>> prefixes = new PrefixTrie<>();
  private final List<Regex<R>> regexes = new ArrayList<>();

  /** nginx's automatic 301: by the path without its last slash, the route that redirects. */
  private final Map<String, R> slashless = new HashMap<>();

  /** {@link PathMatches#sameMatchKey} of every match added. */
  private final Set<String> taken = new HashSet<>();

  /**
   * Adds {@code route} for a validated, set {@code match}. Returns false, changing nothing, when a
   * route with the same match is there already: the validator refuses such a config, and the first
   * route would be chosen anyway.
   */
  boolean add(PathMatch match, R route) {
    if (!taken.add(PathMatches.sameMatchKey(match))) {
      return false;
    }
    if (PathMatches.isRegex(match)) {
      regexes.add(new Regex<>(PathMatches.compile(match), route));
    } else if (PathMatches.isPrefix(match)) {
      prefixes.put(PathMatches.value(match), new Prefix<>(route, match.hasPrefixNoRegex()));
    } else {
      exact.put(PathMatches.value(match), route);
    }
    return true;
  }

  /**
   * Adds nginx's automatic redirect of {@code slashed} (a path ending in {@code /}) without its
   * last slash to {@code redirect}; the first one added for a path stays.
   */
  void addSlashRedirect(String slashed, R redirect) {
    slashless.putIfAbsent(slashed.substring(0, slashed.length() - 1), redirect);
  }

  /** The route for {@code uri} (a normalised path) with the regex groups it matched, or null. */
  Selection<R> select(String uri) {
    R exactRoute = exact.get(uri);
    if (exactRoute != null) {
      return new Selection<>(exactRoute, null);
    }
    // nginx answers the redirect before it looks at regexes; a prefix of exactly this path wins.
    R redirect = slashless.get(uri);
    if (redirect != null && prefixes.get(uri) == null) {
      return new Selection<>(redirect, null);
    }
    Prefix<R> prefix = prefixes.longestPrefixOf(uri);
    if (prefix != null && prefix.noRegex()) {
      return new Selection<>(prefix.route(), null);
    }
    for (Regex<R> regex : regexes) {
      MatchResult groups = LinearRegex.find(regex.pattern(), uri);
      if (groups != null) {
        return new Selection<>(regex.route(), groups);
      }
    }
    return prefix == null ? null : new Selection<>(prefix.route(), null);
  }

  /** A chosen route, and the groups of its regex when a regex chose it (else null). */
  record Selection<R>(R route, MatchResult groups) {}
}
