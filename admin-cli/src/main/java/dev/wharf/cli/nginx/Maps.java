package dev.wharf.cli.nginx;

import dev.wharf.config.LinearRegex;
import dev.wharf.config.Variables;
import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.MapEntry;
import dev.wharf.proto.config.v1.VariableMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code map} blocks as the config's {@code maps}: {@code default}, {@code hostnames}, exact keys,
 * {@code ~regex} and {@code ~*regex} keys; {@code volatile} is not needed (Wharf never caches a
 * map's value beyond the lookup). A map is translated whole or not at all; once translated, its
 * variable is known to the templates checked after it ({@link Templates#define}).
 *
 * <p>The WebSocket idiom {@code map $http_upgrade $connection_upgrade { default upgrade; '' close;
 * }} is recognised: it only feeds the {@code Connection} header of upgrades, which Wharf relays by
 * itself.
 */
final class Maps {
  private Maps() {}

  static void translate(Directive map, Ledger ledger, List<VariableMap> maps) {
    Set<String> keys = map.children().stream().map(Directive::name).collect(Collectors.toSet());
    boolean idiom =
        map.arg(0).equals("$http_upgrade")
            && map.children().size() == 2
            && keys.equals(Set.of("default", ""));
    if (idiom) {
      ledger.notNeededBlock(
          map,
          "the WebSocket idiom: Wharf relays upgrades itself, so the "
              + "Connection header set from "
              + map.arg(1)
              + " is not needed");
      return;
    }
    VariableMap.Builder out = VariableMap.newBuilder();
    Optional<String> problem = build(map, out, maps);
    if (problem.isPresent()) {
      ledger.notTranslatedBlock(map, problem.get() + "; " + map.arg(1) + " has no value in Wharf");
      return;
    }
    ledger.translatedBlock(map);
    map.children().stream()
        .filter(d -> d.name().equals("volatile"))
        .forEach(d -> ledger.notNeeded(d, "Wharf looks a map up each time it is used"));
    maps.add(out.build());
    Templates.define(out.getVariable(), phaseOf(out.build()));
  }

  private static Optional<String> build(
      Directive map, VariableMap.Builder out, List<VariableMap> maps) {
    if (map.args().size() != 2 || !map.arg(1).startsWith("$") || map.arg(1).length() < 2) {
      return Optional.of("'" + map.text() + "' is not map SOURCE $VARIABLE");
    }
    String name = map.arg(1).substring(1);
    if (Variables.phaseOf(name).isPresent()) {
      return Optional.of("$" + name + " is a variable Wharf has already");
    }
    if (maps.stream().anyMatch(m -> m.getVariable().equalsIgnoreCase(name))) {
      return Optional.of("$" + name + " is defined by an earlier map");
    }
    Optional<String> problem = Templates.problem(map.arg(0), Phase.RESPONSE, -1);
    if (problem.isPresent()) {
      return problem;
    }
    out.setVariable(name).setSource(map.arg(0));
    for (Directive entry : map.children()) {
      problem = entry(entry, out);
      if (problem.isPresent()) {
        return problem.map(p -> "line " + entry.origin().line() + ": " + p);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> entry(Directive entry, VariableMap.Builder out) {
    String key = entry.name();
    if (key.equals("hostnames") && entry.args().isEmpty()) {
      out.setHostnames(true);
      return Optional.empty();
    }
    if (key.equals("volatile") && entry.args().isEmpty()) {
      return Optional.empty();
    }
    if (key.equals("include")) {
      return Optional.of("an include inside a map is not translated");
    }
    if (entry.args().size() != 1) {
      return Optional.of("'" + entry.text() + "' is not KEY VALUE");
    }
    String value = entry.arg(0);
    int groups = -1;
    if (key.startsWith("~")) {
      boolean caseInsensitive = key.startsWith("~*");
      String regex = key.substring(caseInsensitive ? 2 : 1);
      Optional<String> refused = LinearRegex.problem(regex, caseInsensitive);
      if (refused.isPresent()) {
        return refused;
      }
      groups = LinearRegex.compile(regex, caseInsensitive).groupCount();
    }
    Optional<String> problem = Templates.problem(value, Phase.RESPONSE, groups);
    if (problem.isPresent()) {
      return problem;
    }
    if (key.equals("default")) {
      out.setDefaultValue(value);
    } else if (groups >= 0) {
      out.addEntries(MapEntry.newBuilder().setKey(key).setValue(value));
    } else {
      // nginx's `\` escapes a key that would read as a keyword or a regex: `\default`, `\~x`
      String literal = key.startsWith("\\") ? key.substring(1) : key;
      if (literal.startsWith("~")) {
        return Optional.of("a literal key starting with '~' has no form in Wharf");
      }
      out.addEntries(MapEntry.newBuilder().setKey(literal).setValue(value));
    }
    return Optional.empty();
  }

  /** The latest phase among the variables the map's templates use. */
  private static Phase phaseOf(VariableMap map) {
    Phase latest = Templates.phaseOf(map.getSource());
    Phase fallback = Templates.phaseOf(map.getDefaultValue());
    latest = fallback.compareTo(latest) > 0 ? fallback : latest;
    for (MapEntry e : map.getEntriesList()) {
      Phase p = Templates.phaseOf(e.getValue());
      latest = p.compareTo(latest) > 0 ? p : latest;
    }
    return latest;
  }
}
