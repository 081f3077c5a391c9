package dev.wharf.bench.fleet;

import com.google.protobuf.Duration;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Header;
import dev.wharf.proto.config.v1.HeaderRules;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.PathRewrite;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.RedirectAction;
import dev.wharf.proto.config.v1.RespondAction;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.RouteMatch;
import dev.wharf.proto.config.v1.StaticAction;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.config.v1.WebSocketSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Configs of any size shaped like a real multi-tenant setup, for the config-distribution
 * benchmarks: one listener, four upstreams, and routes spread over up to eight virtual hosts (exact
 * names and both kinds of wildcard). Each virtual host has a catch-all {@code /} (the single-page
 * app), {@link #REGEX_PER_HOST} regex routes by default (media files and a rewritten user path),
 * and otherwise a repeating mix: plain prefixes proxied with the seeds' header rules (some
 * rewritten, some with a response header), exact health answers, {@code ^~} static assets,
 * redirects of old paths, and WebSocket prefixes.
 *
 * <p>Growing the route count adds services, not regexes: nginx (and Wharf) try every regex of a
 * virtual host in order, so a lookup that reaches them costs their number, whatever the rest of the
 * table holds. {@link #generate(int, int, int)} takes the regex count per host so that cost can be
 * measured too.
 *
 * <p>Every generated config passes the shared validator; {@link #lookups} gives requests whose
 * expected route is known, so a benchmark can check that it times real matches.
 */
public final class FleetConfigs {
  static final String LISTENER = "web";

  /** Regex routes per virtual host unless asked otherwise: "a few", as real configs have. */
  public static final int REGEX_PER_HOST = 2;

  static final String CHANGE_HEADER = "X-Fleet-Change";

  private static final int MAX_HOSTS = 8;
  private static final int ROUTES_PER_HOST_AT_LEAST = 50;
  private static final String[] UPSTREAMS = {"accounts", "catalog", "orders", "search"};

  /** Host patterns, and a host name each pattern matches (what a request sends). */
  private static final String[][] HOSTS = {
    {"www.example.com", "www.example.com"},
    {"api.example.com", "api.example.com"},
    {"*.cdn.example.com", "img.cdn.example.com"},
    {"shop.example.*", "shop.example.org"},
    {".tenant-a.example.com", "eu.tenant-a.example.com"},
    {"tenant-b.example.com", "tenant-b.example.com"},
    {"admin.example.com", "admin.example.com"},
    {"status.example.com", "status.example.com"},
  };

  /** What kind of route a request is meant to reach. */
  enum Kind {
    PREFIX,
    EXACT,
    PREFIX_NO_REGEX,
    REGEX,
    CATCH_ALL
  }

  /** A request for the lookup benchmark and the name of the route it must select. */
  record Lookup(String host, String path, String expectedRoute, Kind kind) {}

  private FleetConfigs() {}

  /** {@link #generate(int, int, int)} with {@link #REGEX_PER_HOST} regex routes per host. */
  public static Config generate(int routes, int listenerPort) {
    return generate(routes, listenerPort, REGEX_PER_HOST);
  }

  /**
   * A valid config with exactly {@code routes} routes, listening on 127.0.0.1:{@code listenerPort},
   * with up to {@code regexPerHost} regex routes per virtual host (fewer when a host has fewer than
   * five routes per regex).
   */
  public static Config generate(int routes, int listenerPort, int regexPerHost) {
    if (routes < 1) {
      throw new IllegalArgumentException("routes: " + routes + " (expected: >= 1)");
    }
    if (listenerPort < 1 || listenerPort > 65535) {
      throw new IllegalArgumentException("listenerPort: " + listenerPort + " (expected: 1-65535)");
    }
    if (regexPerHost < 0) {
      throw new IllegalArgumentException("regexPerHost: " + regexPerHost + " (expected: >= 0)");
    }
    Config.Builder config =
        Config.newBuilder()
            .addListeners(
                Listener.newBuilder()
                    .setName(LISTENER)
                    .setAddress("127.0.0.1")
                    .setPort(listenerPort));
    for (int u = 0; u < UPSTREAMS.length; u++) {
      Upstream.Builder upstream = Upstream.newBuilder().setName(UPSTREAMS[u]);
      for (int e = 0; e < 3; e++) {
        // Never connected to: nothing sends requests through the benchmark's node.
        upstream.addEndpoints(
            Endpoint.newBuilder().setAddress("10.0." + u + "." + (10 + e) + ":8080"));
      }
      config.addUpstreams(upstream);
    }
    for (int i = 0; i < routes; i++) {
      config.addRoutes(route(Slot.of(i, routes, regexPerHost)));
    }
    return config.build();
  }

  /**
   * {@code base} with one route changed: route {@code change % routes} gets a response header
   * naming the change. Successive changes touch successive routes.
   */
  public static Config changed(Config base, int change) {
    int index = Math.floorMod(change, base.getRoutesCount());
    Route route = base.getRoutes(index);
    Route.Builder next = route.toBuilder();
    next.getResponseHeadersBuilder()
        .addSet(Header.newBuilder().setName(CHANGE_HEADER).setValue(Integer.toString(change)));
    return base.toBuilder().setRoutes(index, next).build();
  }

  static int hostCount(int routes) {
    return Math.max(1, Math.min(MAX_HOSTS, routes / ROUTES_PER_HOST_AT_LEAST));
  }

  /**
   * Where route {@code index} of a config sits: its virtual host, its position among that host's
   * routes, and how many regex routes the host has. Routes are dealt to hosts in turn.
   */
  private record Slot(int host, int local, int regexes) {
    static Slot of(int index, int routes, int regexPerHost) {
      int hosts = hostCount(routes);
      int host = index % hosts;
      int routesOfHost = routes / hosts + (host < routes % hosts ? 1 : 0);
      return new Slot(host, index / hosts, Math.min(regexPerHost, routesOfHost / 5));
    }

    String name() {
      return "h" + host + "-r" + local;
    }
  }

  /** Local route 0 is the catch-all, 1..regexes the regexes, then the repeating mix. */
  private static Route route(Slot slot) {
    int host = slot.host();
    int local = slot.local();
    Route.Builder r = Route.newBuilder().setName(slot.name());
    RouteMatch.Builder match = r.getMatchBuilder().addHosts(HOSTS[host][0]);
    String upstream = UPSTREAMS[local % UPSTREAMS.length];
    if (local == 0) {
      match.setPath(PathMatch.newBuilder().setPrefix("/"));
      return r.setStatic(
              StaticAction.newBuilder()
                  .setRoot("/srv/www/" + host)
                  .addIndex("index.html")
                  .addTryFiles("$uri")
                  .addTryFiles("$uri/")
                  .addTryFiles("/index.html"))
          .build();
    }
    if (local <= slot.regexes()) {
      if (local % 2 == 1) {
        match.setPath(
            PathMatch.newBuilder()
                .setRegexCaseInsensitive("^/media" + local + "/.+\\.(png|jpe?g|gif|webp)$"));
        return r.setProxy(ProxyAction.newBuilder().setUpstream("catalog")).build();
      }
      String regex = "^/users/(\\d+)/feed" + local + "$";
      match.setPath(PathMatch.newBuilder().setRegex(regex));
      return r.setProxy(
              ProxyAction.newBuilder()
                  .setUpstream("accounts")
                  .setRewrite(PathRewrite.newBuilder().setRegex(regex).setReplacement("/feed/$1")))
          .setRequestHeaders(seedHeaders())
          .build();
    }
    switch (local % 10) {
      case 5, 6 -> {
        match.setPath(PathMatch.newBuilder().setExact("/status/" + local));
        r.setRespond(RespondAction.newBuilder().setStatus(200).setBody("ok\n"));
      }
      case 7 -> {
        match.setPath(PathMatch.newBuilder().setPrefixNoRegex("/assets" + local + "/"));
        r.setStatic(StaticAction.newBuilder().setRoot("/srv/assets"));
      }
      case 8 -> {
        match.setPath(PathMatch.newBuilder().setExact("/old" + local));
        r.setRedirect(
            RedirectAction.newBuilder()
                .setStatus(301)
                .setLocation("https://$host/svc" + local + "/"));
      }
      case 9 -> {
        match.setPath(PathMatch.newBuilder().setPrefix("/ws" + local));
        r.setProxy(
                ProxyAction.newBuilder()
                    .setUpstream(upstream)
                    .setWebsocket(
                        WebSocketSettings.newBuilder()
                            .setIdleTimeout(Duration.newBuilder().setSeconds(3600))))
            .setRequestHeaders(seedHeaders());
      }
      default -> {
        String prefix = "/svc" + local + "/";
        match.setPath(PathMatch.newBuilder().setPrefix(prefix));
        ProxyAction.Builder proxy =
            ProxyAction.newBuilder()
                .setUpstream(upstream)
                .setReadTimeout(Duration.newBuilder().setSeconds(30));
        if (local % 4 == 0) {
          proxy.setRewrite(
              PathRewrite.newBuilder().setRegex("^" + prefix + "?(.*)").setReplacement("/$1"));
        }
        r.setProxy(proxy).setRequestHeaders(seedHeaders());
        if (local % 3 == 0) {
          r.setResponseHeaders(
              HeaderRules.newBuilder()
                  .addAdd(Header.newBuilder().setName("X-Served-By").setValue("wharf")));
        }
      }
    }
    return r.build();
  }

  /** The seeds' proxy_set_header lines. */
  private static HeaderRules seedHeaders() {
    return HeaderRules.newBuilder()
        .addSet(Header.newBuilder().setName("Host").setValue("$host"))
        .addSet(Header.newBuilder().setName("X-Real-IP").setValue("$remote_addr"))
        .addSet(
            Header.newBuilder().setName("X-Forwarded-For").setValue("$proxy_add_x_forwarded_for"))
        .build();
  }

  /**
   * {@code count} requests for a config {@link #generate generated} with {@code routes} and {@code
   * regexPerHost}, in random order from {@code seed}: 40% to plain prefixes, 20% exact, 10% {@code
   * ^~} assets, 15% to regex routes (or the catch-all when the config has none), 15% to paths no
   * other route matches (the catch-all). Each names the route it must reach.
   *
   * <p>Whatever the config's size, requests use all eight host names in equal shares, so the
   * virtual-host step costs the same at every size: names a small config does not list reach its
   * first virtual host, as nginx sends them to a port's first {@code server}.
   */
  static List<Lookup> lookups(int routes, int regexPerHost, int count, long seed) {
    int hosts = hostCount(routes);
    List<List<Lookup>> byKind = new ArrayList<>();
    for (int k = 0; k < Kind.values().length; k++) {
      byKind.add(new ArrayList<>());
    }
    for (int i = 0; i < routes; i++) {
      Slot slot = Slot.of(i, routes, regexPerHost);
      List<String> names = new ArrayList<>();
      names.add(HOSTS[slot.host()][1]);
      if (slot.host() == 0) {
        for (int h = hosts; h < HOSTS.length; h++) {
          names.add(HOSTS[h][1]);
        }
      }
      for (String name : names) {
        Lookup lookup = lookup(slot, name, i);
        byKind.get(lookup.kind().ordinal()).add(lookup);
      }
    }
    Random random = new Random(seed);
    List<Lookup> out = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      int p = random.nextInt(100);
      Kind kind =
          p < 40
              ? Kind.PREFIX
              : p < 60
                  ? Kind.EXACT
                  : p < 70 ? Kind.PREFIX_NO_REGEX : p < 85 ? Kind.REGEX : Kind.CATCH_ALL;
      List<Lookup> pool = byKind.get(kind.ordinal());
      if (pool.isEmpty()) {
        pool = byKind.get(Kind.CATCH_ALL.ordinal()); // a config too small for this kind
      }
      out.add(pool.get(random.nextInt(pool.size())));
    }
    return out;
  }

  /** A request that reaches the route in {@code slot}, mirroring {@link #route(Slot)}. */
  private static Lookup lookup(Slot slot, String host, int index) {
    int local = slot.local();
    String name = slot.name();
    if (local == 0) {
      return new Lookup(host, "/no/such/page-" + index, name, Kind.CATCH_ALL);
    }
    if (local <= slot.regexes()) {
      String path =
          local % 2 == 1
              ? "/media" + local + "/2024/cat.JPG"
              : "/users/" + (1000 + index) + "/feed" + local;
      return new Lookup(host, path, name, Kind.REGEX);
    }
    return switch (local % 10) {
      case 5, 6 -> new Lookup(host, "/status/" + local, name, Kind.EXACT);
      case 7 -> new Lookup(host, "/assets" + local + "/img/logo.png", name, Kind.PREFIX_NO_REGEX);
      case 8 -> new Lookup(host, "/old" + local, name, Kind.EXACT);
      case 9 -> new Lookup(host, "/ws" + local + "/chat", name, Kind.PREFIX);
      default -> new Lookup(host, "/svc" + local + "/items/" + (index % 997), name, Kind.PREFIX);
    };
  }
}
