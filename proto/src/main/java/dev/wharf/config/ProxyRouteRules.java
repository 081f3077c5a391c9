package dev.wharf.config;

import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.LocationRewrite;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.Route;

/**
 * The rules of nginx's location corner cases on a route: the automatic 301 to the slashed prefix
 * ({@code slash_redirect}), a request target made of variables and the route regex's captures
 * ({@code proxy.uri}), and {@code proxy_redirect} ({@code proxy.location_rewrites}).
 */
final class ProxyRouteRules {
  private ProxyRouteRules() {}

  /**
   * @param path the route's path ({@code routes[3]})
   * @param groups the route regex's group count, -1 when the route has no regex
   */
  static void check(String path, Route r, int groups, Problems problems) {
    if (r.getSlashRedirect()) {
      slashRedirect(path + ".slash_redirect", r, problems);
    }
    if (!r.hasProxy()) {
      return;
    }
    ProxyAction p = r.getProxy();
    String proxy = path + ".proxy";
    if (!p.getUri().isEmpty()) {
      if (p.hasRewrite()) {
        problems.add(proxy + ".uri", "set uri or rewrite, not both");
      }
      if (!p.getUri().startsWith("/") && !p.getUri().startsWith("$")) {
        problems.add(proxy + ".uri", "'" + p.getUri() + "' must start with '/' or a variable");
      }
      problems.template(proxy + ".uri", p.getUri(), Phase.REQUEST, groups);
    }
    for (int i = 0; i < p.getLocationRewritesCount(); i++) {
      locationRewrite(proxy + ".location_rewrites[" + i + "]", p.getLocationRewrites(i), problems);
    }
  }

  private static void slashRedirect(String path, Route r, Problems problems) {
    if (!r.hasProxy()) {
      problems.add(path, "only proxy routes redirect to their slashed prefix, as nginx does");
      return;
    }
    PathMatch m = r.getMatch().getPath();
    if (!PathMatches.isSet(m) || PathMatches.isRegex(m)) {
      problems.add(
          path, "needs an exact or prefix path match (a regex has no prefix to redirect to)");
    } else if (!PathMatches.value(m).endsWith("/") || PathMatches.value(m).length() < 2) {
      problems.add(
          path,
          "the path '"
              + PathMatches.value(m)
              + "' does not end in '/' after a name (expected e.g. /static/)");
    }
  }

  private static void locationRewrite(String path, LocationRewrite rule, Problems problems) {
    int groups = -1;
    boolean prefix = !rule.getPrefix().isEmpty();
    boolean regex = !rule.getRegex().isEmpty();
    if (prefix == regex) {
      problems.add(path, "set exactly one of prefix and regex");
    } else if (regex) {
      com.google.re2j.Pattern compiled =
          problems.regex(path + ".regex", rule.getRegex(), rule.getCaseInsensitive());
      groups = compiled == null ? -1 : compiled.groupCount();
    } else if (rule.getCaseInsensitive()) {
      problems.add(path + ".case_insensitive", "applies to a regex only");
    }
    problems.template(path + ".replacement", rule.getReplacement(), Phase.RESPONSE, groups);
  }
}
