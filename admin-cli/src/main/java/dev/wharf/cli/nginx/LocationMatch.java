package dev.wharf.cli.nginx;

import dev.wharf.config.LinearRegex;
import dev.wharf.config.PathMatches;
import dev.wharf.proto.config.v1.PathMatch;
import java.util.List;
import java.util.Optional;

/**
 * The match of a {@code location}: {@code = /x}, {@code /x}, {@code ^~ /x}, {@code ~ re}, {@code ~*
 * re} (the modifier may also touch the path: {@code =/x}), as a Wharf path match. Regexes are
 * checked as the data plane compiles them ({@link LinearRegex}, RE2 syntax): most PCRE that nginx
 * configs use is the same, and what RE2 cannot run (lookaround, backreferences...) is reported.
 *
 * @param groups the regex's group count, or -1 when the match is not a regex
 */
record LocationMatch(PathMatch path, String text, int groups) {
  boolean isRegex() {
    return groups >= 0;
  }

  /** The path of a prefix or exact match; the regex of a regex match. */
  String value() {
    return PathMatches.value(path);
  }

  boolean isPrefix() {
    return PathMatches.isPrefix(path);
  }

  /** The match of {@code location}, or the reason it has none in Wharf. */
  static Either<LocationMatch> parse(Directive location) {
    List<String> args = location.args();
    String modifier = "";
    String value;
    if (args.size() == 2) {
      modifier = args.get(0);
      value = args.get(1);
    } else if (args.size() == 1) {
      value = args.get(0);
      for (String m : PathMatches.MODIFIERS) {
        if (value.startsWith(m) && value.length() > m.length()) {
          modifier = m;
          value = value.substring(m.length());
          break;
        }
      }
    } else {
      return Either.problem("a location takes a path, or a modifier and a path");
    }
    if (value.startsWith("@") && modifier.isEmpty()) {
      return Either.problem(
          "a named location is only reached through try_files, error_page "
              + "or X-Accel-Redirect, which Wharf does not have");
    }
    Optional<PathMatch> match = PathMatches.of(modifier, value);
    if (match.isEmpty()) {
      return Either.problem("'" + modifier + "' is not a location modifier");
    }
    PathMatch m = match.get();
    String text = PathMatches.text(m);
    if (PathMatches.isRegex(m)) {
      try {
        int groups = PathMatches.compile(m).groupCount();
        return Either.of(new LocationMatch(m, text, groups));
      } catch (LinearRegex.Refused e) {
        return Either.problem(Rewrites.CANNOT_RUN + e.getMessage());
      }
    }
    if (!value.startsWith("/")) {
      return Either.problem("a Wharf path starts with '/'");
    }
    return Either.of(new LocationMatch(m, text, -1));
  }
}
