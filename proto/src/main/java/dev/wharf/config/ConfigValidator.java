package dev.wharf.config;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one validator of Wharf. The CLI runs it for a dry run, the control plane before it writes to
 * etcd or pushes a snapshot, and each node before it applies one; a config it accepts is one every
 * part can run.
 *
 * <p>It reports every error it finds, each with the field path and the reason ({@code
 * routes[2].proxy.rewrite.regex: unclosed group near index 7}), never only the first. It is pure
 * and thread-safe.
 */
public final class ConfigValidator {
  private ConfigValidator() {}

  /** Every problem in {@code config}; empty when it is valid. */
  public static List<ConfigError> validate(Config config) {
    return validate(config, true, null);
  }

  /**
   * Every problem in {@code config}, the same list {@link #validate(Config)} returns, checking
   * again only what changed since {@code previous}: a config that passed this validator (null:
   * none). The routes {@code previous} has word for word are not checked one by one again; the
   * rules that compare routes and every listener and upstream rule still run. A node validating
   * each pushed version against the one it serves pays for what changed.
   */
  public static List<ConfigError> validate(Config config, Config previous) {
    return validate(config, true, previous == null ? null : RouteDelta.of(config, previous));
  }

  /**
   * As {@link #validate(Config, Config)}, with the routes compared once already: {@code delta} is
   * {@link RouteDelta#of RouteDelta.of(config, previous)}, which the caller shares with the rest of
   * what it compiles.
   */
  public static List<ConfigError> validate(Config config, RouteDelta delta) {
    if (!delta.isFor(config.getRoutesList())) {
      throw new IllegalArgumentException("the route delta was computed for another config");
    }
    return validate(config, true, delta.previous() == null ? null : delta);
  }

  /**
   * Every problem of {@code config}'s objects taken one by one, without looking up the listeners
   * and upstreams its routes name: for a part of a config (a document {@code wharfctl apply}
   * merges), whose references are checked in the merged config.
   */
  public static List<ConfigError> validateObjects(Config config) {
    return validate(config, false, null);
  }

  /**
   * With a {@code delta} against a valid config, the routes it found unchanged skip their own
   * rules, and the rules that compare routes look only at what the changed ones can clash with.
   */
  private static List<ConfigError> validate(Config config, boolean references, RouteDelta delta) {
    Problems problems = new Problems();
    uniqueNames("listeners", config.getListenersList(), Listener::getName, problems);
    uniqueNames("upstreams", config.getUpstreamsList(), Upstream::getName, problems);
    // Names in place of a valid config's are unique: the one all-route check a change skips.
    boolean uniqueRoutes =
        (delta != null && delta.namesInPlace())
            || uniqueNames("routes", config.getRoutesList(), Route::getName, problems);

    MapRules.check(config.getMapsList(), problems);
    ListenerRules.check(config.getListenersList(), problems);
    UpstreamRules.check(config.getUpstreamsList(), problems);
    Set<String> listeners = names(config.getListenersList(), Listener::getName);
    Set<String> upstreams = names(config.getUpstreamsList(), Upstream::getName);
    BitSet unchanged =
        delta == null ? new BitSet() : UnchangedRoutes.of(config, delta, listeners, upstreams);
    new RouteRules(listeners, upstreams, problems, references)
        .check(config.getRoutesList(), unchanged);
    // Unchanged routes never clash among themselves (they did not in the valid config), unless
    // two of them took the same earlier route for theirs, which only duplicate names allow.
    if (delta == null || !RouteConflicts.matchesInPlace(config.getRoutesList(), delta)) {
      RouteConflicts.check(
          config.getRoutesList(), uniqueRoutes ? unchanged : new BitSet(), problems);
    }
    RateLimitRules.check(
        config.getRateLimitZonesList(), config.getRoutesList(), unchanged, problems, references);
    ErrorPageRules.check(config.getRoutesList(), unchanged, problems);
    return problems.errors().stream().map(e -> named(e, config)).toList();
  }

  private static final Pattern OBJECT_PATH =
      Pattern.compile("(listeners|upstreams|routes)\\[(\\d+)]");

  /**
   * {@code e}, saying the name of the object its path is in ({@code route api} for {@code
   * routes[3].proxy.upstream}) when that object has one.
   */
  private static ConfigError named(ConfigError e, Config config) {
    Matcher m = OBJECT_PATH.matcher(e.path());
    if (!m.lookingAt() || m.group(2).length() > 9) {
      return e;
    }
    int i = Integer.parseInt(m.group(2));
    String kind = m.group(1);
    String name =
        switch (kind) {
          case "listeners" ->
              i < config.getListenersCount() ? config.getListeners(i).getName() : "";
          case "upstreams" ->
              i < config.getUpstreamsCount() ? config.getUpstreams(i).getName() : "";
          default -> i < config.getRoutesCount() ? config.getRoutes(i).getName() : "";
        };
    return !Problems.isValidName(name)
        ? e
        : e.withObject(kind.substring(0, kind.length() - 1) + " " + name);
  }

  /** Throws a {@link ConfigException} carrying every problem, if there is any. */
  public static void requireValid(Config config) throws ConfigException {
    requireValid(config, (Config) null);
  }

  /**
   * Throws a {@link ConfigException} carrying every problem, if there is any, checking again only
   * what changed since {@code previous} (see {@link #validate(Config, Config)}).
   */
  public static void requireValid(Config config, Config previous) throws ConfigException {
    throwIfAny(validate(config, previous));
  }

  /**
   * Throws a {@link ConfigException} carrying every problem, if there is any, with the routes
   * compared once already (see {@link #validate(Config, RouteDelta)}).
   */
  public static void requireValid(Config config, RouteDelta delta) throws ConfigException {
    throwIfAny(validate(config, delta));
  }

  private static void throwIfAny(List<ConfigError> errors) throws ConfigException {
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
  }

  /** Reports names used twice; true when every name is unique. */
  private static <T> boolean uniqueNames(
      String kind, List<T> items, Function<T, String> name, Problems problems) {
    boolean unique = true;
    Map<String, Integer> first = new HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String n = name.apply(items.get(i));
      if (n.isEmpty()) {
        continue; // reported as "required" by the object's own rules
      }
      Integer earlier = first.putIfAbsent(n, i);
      if (earlier != null) {
        unique = false;
        problems.add(
            kind + "[" + i + "].name",
            "'" + n + "' is already the name of " + kind + "[" + earlier + "]");
      }
    }
    return unique;
  }

  private static <T> Set<String> names(List<T> items, Function<T, String> name) {
    return items.stream().map(name).filter(n -> !n.isEmpty()).collect(Collectors.toSet());
  }
}
