package dev.wharf.cli.nginx;

import com.google.re2j.Pattern;
import dev.wharf.config.LinearRegex;
import dev.wharf.config.Template;
import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.PathRewrite;
import dev.wharf.proto.config.v1.RedirectAction;
import java.util.Optional;
import java.util.Set;
import java.util.regex.MatchResult;

/**
 * {@code rewrite REGEX REPLACEMENT [FLAG]} where Wharf can do exactly the same:
 *
 * <ul>
 *   <li>{@code break} in a proxied location: the route's path rewrite, which has nginx's rules.
 *   <li>{@code redirect}, {@code permanent}, or a replacement that is a URL: a redirect, when the
 *       regex matches every path the route matches (such as {@code ^} or {@code ^(.*)$}, or the
 *       location's own regex), as the route redirects every request it gets. The request's
 *       arguments are appended, as nginx does, unless the replacement ends with {@code ?}.
 * </ul>
 *
 * Anything else ({@code last}, no flag) hands the request to another location in nginx, which Wharf
 * routes cannot do.
 */
record Rewrites(Directive directive, String regex, String replacement, String flag) {
  /** Starts the reason a regex is not imported; {@link LinearRegex} says the rest. */
  static final String CANNOT_RUN = "the regex cannot run in Wharf: ";

  /** Regexes that match every path. */
  private static final Set<String> EVERY_PATH =
      Set.of(
          "^", "^/", ".*", "^.*", "^.*$", "^/.*", "^(.*)$", "^(.*)", "(.*)", "^(/.*)$", "^(/.*)");

  /** Of those, the ones whose only group is the whole path. */
  private static final Set<String> WHOLE_PATH_GROUP =
      Set.of("^(.*)$", "^(.*)", "(.*)", "^(/.*)$", "^(/.*)");

  static Rewrites of(Directive d) {
    return new Rewrites(d, d.arg(0), d.arg(1), d.arg(2));
  }

  /** Why this directive is not one nginx accepts, or empty. */
  Optional<String> syntaxProblem() {
    if (directive.args().size() < 2
        || directive.args().size() > 3
        || !Set.of("", "last", "break", "redirect", "permanent").contains(flag)) {
      return Optional.of("'" + directive.text() + "' is not a rewrite nginx accepts");
    }
    return LinearRegex.problem(regex, false).map(reason -> CANNOT_RUN + reason);
  }

  boolean isRedirect() {
    return flag.equals("redirect")
        || flag.equals("permanent")
        || (flag.isEmpty() && Returns.isUrl(replacement));
  }

  boolean isBreak() {
    return flag.equals("break");
  }

  /** The proxy route's path rewrite; or why there is none. */
  Either<PathRewrite> pathRewrite() {
    int groups = LinearRegex.compile(regex, false).groupCount();
    return Templates.problem(replacement, Phase.REQUEST, groups)
        .map(Either::<PathRewrite>problem)
        .orElseGet(
            () ->
                Either.of(
                    PathRewrite.newBuilder().setRegex(regex).setReplacement(replacement).build()));
  }

  /**
   * The redirect a route matching {@code match} makes of every request, or why it is not that
   * simple. {@code match} is null for a server-level rewrite that becomes a regex route of its own
   * regex.
   */
  Either<RedirectAction> redirect(LocationMatch match) {
    Pattern pattern = LinearRegex.compile(regex, false);
    String target;
    int groups;
    if (match == null || (match.path().hasRegex() && match.value().equals(regex))) {
      target = replacement;
      groups = pattern.groupCount();
    } else if (EVERY_PATH.contains(regex)) {
      target =
          WHOLE_PATH_GROUP.contains(regex) ? substitute(replacement, null, "$uri") : replacement;
      groups = match.groups();
    } else if (match.path().hasExact() && LinearRegex.find(pattern, match.value()) != null) {
      target = substitute(replacement, LinearRegex.find(pattern, match.value()), null);
      groups = -1;
    } else {
      return Either.problem(
          "it redirects only the paths its regex matches, not every path "
              + "of the location; write it as a regex route of its own");
    }
    if (target == null) {
      return Either.problem("'" + replacement + "' is not a replacement Wharf can read");
    }
    if (target.endsWith("?")) {
      target = target.substring(0, target.length() - 1);
    } else if (!target.contains("?")) {
      target = target + "$is_args$args";
    }
    Optional<String> problem = Templates.problem(target, Phase.REQUEST, groups);
    if (problem.isPresent()) {
      return Either.problem(problem.get());
    }
    return Either.of(
        RedirectAction.newBuilder()
            .setStatus(flag.equals("permanent") ? 301 : 302)
            .setLocation(target)
            .build());
  }

  /** True when nginx appends the arguments after {@code &}, which Wharf does not. */
  boolean keepsOwnArguments() {
    return replacement.contains("?") && !replacement.endsWith("?");
  }

  /**
   * {@code text} with its group references replaced by the groups of {@code m}, or by {@code whole}
   * for {@code $1} when {@code m} is null; null when it is not a template.
   */
  private static String substitute(String text, MatchResult m, String whole) {
    Template t;
    try {
      t = Template.parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < t.parts().size(); i++) {
      Template.Part part = t.parts().get(i);
      if (part instanceof Template.Literal l) {
        out.append(l.text());
      } else if (part instanceof Template.Variable v) {
        boolean glued =
            i + 1 < t.parts().size()
                && t.parts().get(i + 1) instanceof Template.Literal next
                && next.text().matches("^[A-Za-z0-9_].*");
        out.append(glued ? "${" + v.name() + "}" : "$" + v.name());
      } else if (part instanceof Template.Group g) {
        if (m != null && g.number() <= m.groupCount()) {
          out.append(m.group(g.number()) == null ? "" : m.group(g.number()));
        } else if (m == null && g.number() == 1) {
          out.append(whole);
        } else {
          out.append('$').append(g.number());
        }
      }
    }
    return out.toString();
  }
}
