package dev.wharf.cli.nginx;

import dev.wharf.proto.config.v1.Compression;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Imports an nginx config: reads it ({@link NginxParser}), translates its {@code http} block into a
 * Wharf config, and gives every directive a verdict ({@link Finding}), so that nothing is dropped
 * without a word. A file without an {@code http} block but with {@code server} or {@code upstream}
 * blocks (a site file from {@code conf.d/}) is read as the inside of one.
 *
 * <p>The config is not validated here; the caller runs the validator, as for any document.
 */
public final class NginxImport {
  private NginxImport() {}

  /**
   * The config, the verdict on each directive in the order written, and where the objects of the
   * config came from ({@code routes[2]} -> {@code site.conf:14}).
   */
  public record Result(Config config, List<Finding> findings, Map<String, Origin> origins) {
    public Result {
      findings = List.copyOf(findings);
      origins = Map.copyOf(origins);
    }
  }

  public static Result read(Path file, Optional<Path> includeRoot)
      throws IOException, NginxSyntaxException {
    return translate(NginxParser.create(includeRoot).parse(file));
  }

  static Result translate(List<Directive> main) {
    Templates.forget();
    try {
      return translateWithMaps(main);
    } finally {
      Templates.forget();
    }
  }

  private static Result translateWithMaps(List<Directive> main) {
    Context context = Context.create();
    Ledger ledger = context.ledger();
    markIncludes(main, ledger);
    List<Directive> http = main.stream().filter(d -> d.name().equals("http")).toList();
    if (!http.isEmpty()) {
      ledger.translated(http.get(0));
      http(http.get(0).children(), context);
      http.subList(1, http.size())
          .forEach(extra -> ledger.notTranslatedBlock(extra, "nginx allows one http block"));
    } else if (main.stream()
        .anyMatch(d -> d.name().equals("server") || d.name().equals("upstream"))) {
      http(main, context);
    }
    Config config = assemble(context);
    ledger.sweep(main, NginxImport::sweepVerdict);
    return new Result(config, ledger.findings(main), origins(context));
  }

  private static Verdict sweepVerdict(Directive d) {
    if (d.name().equals("log_format")) {
      return Verdict.notNeeded("no translated access_log uses it");
    }
    return Catalog.sweep(d);
  }

  private static void http(List<Directive> directives, Context context) {
    Ledger ledger = context.ledger();
    Scope http = Scope.of(directives);
    http.own("map").forEach(map -> Maps.translate(map, ledger, context.maps()));
    http.own("log_format").forEach(context.accessLogs()::define);
    http.own("upstream").forEach(context.upstreams()::define);
    context.rateLimitZones().addAll(RateLimits.zones(http, ledger));
    // The default server comes first: Wharf sends a request for an unknown host to the routes
    // of the first host on the listener, as nginx sends it to the default server.
    List<Directive> servers = new ArrayList<>(http.own("server"));
    servers.sort(Comparator.comparing(s -> !Listeners.isDefault(s)));
    ServerTranslator translator = new ServerTranslator(context, servers.size() > 1);
    servers.forEach(server -> translator.translate(server, http));
  }

  private static Config assemble(Context context) {
    List<Listener> listeners = context.listeners().build();
    dropRedirectRoutes(context);
    Optional<Compression> shared = context.routes().shared();
    List<Route> routes = context.routes().build(shared.isPresent(), listeners.size() > 1);
    Config.Builder config = Config.newBuilder();
    for (Listener l : listeners) {
      config.addListeners(shared.map(c -> l.toBuilder().setCompression(c).build()).orElse(l));
    }
    config.addAllRateLimitZones(context.rateLimitZones());
    return config
        .addAllUpstreams(context.upstreams().all())
        .addAllRoutes(routes)
        .addAllMaps(context.maps())
        .build();
  }

  /**
   * The routes of servers that only redirect to HTTPS are not needed where their listeners redirect
   * every request themselves; a {@code $server_name} in the redirect is reported, as the listener
   * redirects to the request's host.
   */
  private static void dropRedirectRoutes(Context context) {
    Set<String> redirecting = context.listeners().redirecting();
    context
        .routes()
        .drop(
            d -> {
              boolean drop = redirecting.containsAll(d.site().listeners());
              Directive ret =
                  d.site().server().children().stream()
                      .filter(c -> c.name().equals("return"))
                      .findFirst()
                      .orElse(null);
              if (drop && ret != null && HttpsRedirects.usesServerName(ret)) {
                context
                    .ledger()
                    .check(
                        ret,
                        "the listener's https_redirect keeps the request's host; nginx used the "
                            + "server's first name ($server_name)");
              }
              return drop;
            });
  }

  private static Map<String, Origin> origins(Context context) {
    Map<String, Origin> out = new LinkedHashMap<>();
    put(out, "listeners", context.listeners().origins());
    put(out, "upstreams", context.upstreams().origins());
    put(out, "routes", context.routes().drafts().stream().map(Routes.Draft::origin).toList());
    return out;
  }

  private static void put(Map<String, Origin> out, String kind, List<Origin> origins) {
    for (int i = 0; i < origins.size(); i++) {
      out.put(kind + "[" + i + "]", origins.get(i));
    }
  }

  /** {@code include}s are translated by reading them in their place; mime.types is built in. */
  private static void markIncludes(List<Directive> directives, Ledger ledger) {
    for (Directive d : directives) {
      if (d.name().equals("include")) {
        if (Includes.isMimeTypes(d.arg(0))) {
          ledger.notNeeded(d, "the standard MIME types table, which Wharf has built in");
        } else {
          ledger.translated(d);
        }
      }
      markIncludes(d.children(), ledger);
    }
  }
}
