package dev.wharf.cli.nginx;

import dev.wharf.config.Cidr;
import dev.wharf.config.Htpasswd;
import dev.wharf.proto.config.v1.AccessRule;
import dev.wharf.proto.config.v1.AccessRules;
import dev.wharf.proto.config.v1.BasicAuth;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Satisfy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Access control in force at a location: {@code allow}/{@code deny} (the nearest level that has
 * rules, as nginx inherits them), {@code auth_basic} with {@code auth_basic_user_file}, and {@code
 * satisfy} become the route's {@code access}, {@code basic_auth} and {@code satisfy}. What Wharf
 * cannot do ({@code auth_request}, {@code auth_jwt}, {@code limit_except}, a realm or file with
 * variables, a user file with plain-text or DES hashes) is not translated and its route answers
 * 403: an import never opens up what nginx protected. {@code deny all} alone is exact: the route
 * answers 403.
 */
final class Access {
  private static final List<String> RULES = List.of("allow", "deny");
  private static final List<String> UNSUPPORTED = List.of("auth_request", "auth_jwt");

  /** Why a location's access control cannot be translated. */
  record Refusal(Directive cause, String reason) {}

  private Access() {}

  /** Sets the route's access control; a refusal when some of it cannot be translated. */
  static Optional<Refusal> translate(Scope scope, Ledger ledger, Route.Builder route) {
    for (String name : UNSUPPORTED) {
      Optional<Directive> auth = scope.nearest(name);
      if (auth.isPresent()) {
        if (!auth.get().arg(0).equals("off")) {
          return Optional.of(new Refusal(auth.get(), "Wharf has no " + name));
        }
        ledger.translated(auth.get());
      }
    }
    Optional<Directive> limitExcept = scope.ownFirst("limit_except");
    if (limitExcept.isPresent()) {
      return Optional.of(new Refusal(limitExcept.get(), "Wharf has no limit_except"));
    }
    Optional<Refusal> refused = rules(scope, ledger, route);
    if (refused.isEmpty()) {
      refused = basicAuth(scope, ledger, route);
    }
    Optional<Directive> satisfy = scope.nearest("satisfy");
    if (refused.isEmpty() && satisfy.isPresent()) {
      ledger.translated(satisfy.get());
      route.setSatisfy(satisfy.get().arg(0).equals("any") ? Satisfy.ANY : Satisfy.ALL);
    }
    return refused;
  }

  /** True when the first rule in force is {@code deny all} and nothing else can let a client in. */
  static boolean deniesAll(Scope scope, Ledger ledger) {
    List<Directive> rules = rules(scope);
    if (rules.isEmpty() || !rules.get(0).arg(0).equals("all")) {
      return false;
    }
    if (!rules.get(0).name().equals("deny")
        || scope.nearest("satisfy").map(d -> d.arg(0).equals("any")).orElse(false)) {
      return false; // allow all, or satisfy any: credentials may still let a client in
    }
    ledger.translated(rules.get(0));
    for (Directive later : rules.subList(1, rules.size())) {
      ledger.notNeeded(
          later,
          "the rule at line " + rules.get(0).origin().line() + " decides for every address first");
    }
    return true;
  }

  private static Optional<Refusal> rules(Scope scope, Ledger ledger, Route.Builder route) {
    List<Directive> rules = rules(scope);
    if (rules.isEmpty()) {
      return Optional.empty();
    }
    AccessRules.Builder access = AccessRules.newBuilder();
    for (Directive rule : rules) {
      String source = rule.arg(0);
      if (!source.equals("all")) {
        if (source.startsWith("unix:")) {
          return Optional.of(new Refusal(rule, "Wharf listens on no unix socket"));
        }
        try {
          Cidr.parse(source);
        } catch (IllegalArgumentException e) {
          return Optional.of(new Refusal(rule, e.getMessage()));
        }
      }
      access.addRules(
          AccessRule.newBuilder().setAllow(rule.name().equals("allow")).setSource(source));
      ledger.translated(rule);
    }
    route.setAccess(access);
    return Optional.empty();
  }

  private static Optional<Refusal> basicAuth(Scope scope, Ledger ledger, Route.Builder route) {
    Optional<Directive> auth = scope.nearest("auth_basic");
    if (auth.isEmpty()) {
      return Optional.empty();
    }
    ledger.translated(auth.get());
    String realm = auth.get().arg(0);
    if (realm.equals("off")) {
      route.setBasicAuth(BasicAuth.newBuilder().setEnabled(false));
      return Optional.empty();
    }
    Optional<Directive> file = scope.nearest("auth_basic_user_file");
    if (file.isEmpty()) {
      ledger.notNeeded(auth.get(), "without auth_basic_user_file nginx asks for no credentials");
      return Optional.empty();
    }
    String path = file.get().arg(0);
    if (realm.contains("$") || path.contains("$")) {
      return Optional.of(new Refusal(auth.get(), "Wharf's realm and user file hold no variables"));
    }
    if (realm.indexOf('"') >= 0) {
      return Optional.of(new Refusal(auth.get(), "a realm with '\"' is refused"));
    }
    if (!path.startsWith("/")) {
      return Optional.of(
          new Refusal(
              file.get(),
              "a relative user file is nginx's prefix's; write it as an absolute path"));
    }
    Optional<Refusal> contents = contents(file.get(), Path.of(path), ledger);
    if (contents.isPresent()) {
      return contents;
    }
    route.setBasicAuth(BasicAuth.newBuilder().setEnabled(true).setRealm(realm).setUserFile(path));
    return Optional.empty();
  }

  /** The user file as nodes will read it: refused schemes are a refusal, an absent file a check. */
  private static Optional<Refusal> contents(Directive file, Path path, Ledger ledger) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      ledger.check(
          file, "the user file cannot be read here (" + e.getMessage() + "): each node reads it");
      return Optional.empty();
    }
    List<String> problems = Htpasswd.parse(text).problems();
    if (!problems.isEmpty()) {
      return Optional.of(new Refusal(file, path + ": " + String.join("; ", problems)));
    }
    ledger.translated(file);
    return Optional.empty();
  }

  private static List<Directive> rules(Scope scope) {
    return scope.nearestWhere(d -> RULES.contains(d.name()));
  }
}
