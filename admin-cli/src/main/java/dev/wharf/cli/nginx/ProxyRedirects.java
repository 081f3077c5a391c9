package dev.wharf.cli.nginx;

import dev.wharf.config.LinearRegex;
import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.LocationRewrite;
import dev.wharf.proto.config.v1.ProxyAction;
import java.util.List;
import java.util.Optional;

/**
 * {@code proxy_redirect} in force for a proxied location, as {@code proxy.location_rewrites}. With
 * none written, nginx's implicit {@code proxy_redirect default}: the {@code proxy_pass} URL as
 * written becomes the location's name ({@code proxy_pass http://b/v1/;} in {@code location /api/}:
 * {@code http://b/v1/} to {@code /api/}), or, without a URI part, {@code http://b/} becomes {@code
 * /}. nginx has no default when the {@code proxy_pass} has variables. {@code off} leaves the
 * headers as the endpoint sent them.
 */
final class ProxyRedirects {
  private final Ledger ledger;

  ProxyRedirects(Ledger ledger) {
    this.ledger = ledger;
  }

  /**
   * @param written the proxy_pass URL as written (a host variable resolved)
   * @param variables the proxy_pass as written has variables (in its host, too): no default
   */
  void translate(
      Scope scope,
      String written,
      ProxyPassUrl url,
      boolean variables,
      LocationMatch match,
      ProxyAction.Builder p) {
    List<Directive> rules = scope.nearestAll("proxy_redirect");
    if (rules.isEmpty()) {
      if (!variables) {
        defaultRule(written, url, match).ifPresent(p::addLocationRewrites);
      }
      return;
    }
    if (rules.stream().anyMatch(d -> d.args().size() == 1 && d.arg(0).equals("off"))) {
      rules.forEach(ledger::translated);
      return;
    }
    for (Directive d : rules) {
      Either<LocationRewrite> rule = rule(d, written, url, variables, match);
      if (rule.ok()) {
        p.addLocationRewrites(rule.value());
        ledger.translated(d);
      } else {
        ledger.notTranslated(d, rule.problem() + "; Location headers it would change pass as sent");
      }
    }
  }

  private static Optional<LocationRewrite> defaultRule(
      String written, ProxyPassUrl url, LocationMatch match) {
    LocationRewrite.Builder r = LocationRewrite.newBuilder();
    if (url.uri() == null) {
      r.setPrefix(written + "/").setReplacement("/");
    } else {
      r.setPrefix(written).setReplacement(match.value());
    }
    return Optional.of(r.build());
  }

  private static Either<LocationRewrite> rule(
      Directive d, String written, ProxyPassUrl url, boolean variables, LocationMatch match) {
    if (d.args().size() == 1 && d.arg(0).equals("default")) {
      if (variables) {
        return Either.problem(
            "nginx refuses 'proxy_redirect default' with a proxy_pass that has variables");
      }
      if (match.isRegex() && url.uri() != null) {
        return Either.problem("nginx has no default here");
      }
      return Either.of(defaultRule(written, url, match).orElseThrow());
    }
    if (d.args().size() != 2) {
      return Either.problem("'" + d.text() + "' is not FROM TO, default or off");
    }
    String from = d.arg(0);
    String to = d.arg(1);
    LocationRewrite.Builder r = LocationRewrite.newBuilder().setReplacement(to);
    int groups = -1;
    if (from.startsWith("~")) {
      boolean caseInsensitive = from.startsWith("~*");
      String regex = from.substring(caseInsensitive ? 2 : 1);
      try {
        groups = LinearRegex.compile(regex, caseInsensitive).groupCount();
      } catch (LinearRegex.Refused e) {
        return Either.problem("'" + regex + "': " + e.getMessage());
      }
      r.setRegex(regex).setCaseInsensitive(caseInsensitive);
    } else if (from.contains("$")) {
      return Either.problem("Wharf compares FROM as written, without variables");
    } else {
      r.setPrefix(from);
    }
    Optional<String> problem = Templates.problem(to, Phase.RESPONSE, groups);
    return problem.isPresent() ? Either.problem(problem.get()) : Either.of(r.build());
  }
}
