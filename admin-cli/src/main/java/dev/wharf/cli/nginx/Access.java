package dev.wharf.cli.nginx;

import java.util.List;
import java.util.Optional;

/**
 * Access control in force at a location. Wharf has none, so a location that limits who may reach it
 * ({@code auth_basic}, {@code auth_request}, {@code allow}/{@code deny} by address, {@code
 * limit_except}) is not translated and its route answers 403: an import never opens up what nginx
 * protected. {@code deny all} alone is exact: the route answers 403.
 */
final class Access {
  private static final List<String> RULES = List.of("allow", "deny");
  private static final List<String> AUTH = List.of("auth_basic", "auth_request", "auth_jwt");

  private Access() {}

  /** The directive that limits access in a way Wharf cannot, if any. */
  static Optional<Directive> unsupported(Scope scope, Ledger ledger) {
    for (String name : AUTH) {
      Optional<Directive> auth = scope.nearest(name);
      if (auth.isPresent()) {
        if (!auth.get().arg(0).equals("off")) {
          return auth;
        }
        ledger.translated(auth.get());
      }
    }
    Optional<Directive> limitExcept = scope.ownFirst("limit_except");
    if (limitExcept.isPresent()) {
      return limitExcept;
    }
    List<Directive> rules = rules(scope);
    if (rules.isEmpty() || rules.get(0).arg(0).equals("all")) {
      return Optional.empty(); // none, or the first rule decides for everyone
    }
    return Optional.of(rules.get(0));
  }

  /** True when the first rule in force is {@code deny all}: every request is refused. */
  static boolean deniesAll(Scope scope, Ledger ledger) {
    List<Directive> rules = rules(scope);
    if (rules.isEmpty() || !rules.get(0).arg(0).equals("all")) {
      return false;
    }
    ledger.translated(rules.get(0));
    for (Directive later : rules.subList(1, rules.size())) {
      ledger.notNeeded(
          later,
          "the rule at line " + rules.get(0).origin().line() + " decides for every address first");
    }
    return rules.get(0).name().equals("deny");
  }

  private static List<Directive> rules(Scope scope) {
    return scope.nearestWhere(d -> RULES.contains(d.name()));
  }
}
