package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.RespondAction;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.RouteMatch;
import dev.wharf.proto.config.v1.Upstream;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validating a config against the valid one before it (what a node does with each pushed version)
 * reports exactly what validating it alone reports, whatever changed: the routes it skips as
 * unchanged can never hide a problem.
 */
class ValidateAgainstPreviousTest {
  private static final Config BASE = base();

  private static Config base() {
    Config.Builder c =
        Config.newBuilder()
            .addListeners(Listener.newBuilder().setName("web").setPort(8080))
            .addListeners(Listener.newBuilder().setName("admin").setPort(8081))
            .addUpstreams(upstream("app"))
            .addUpstreams(upstream("api"))
            .addMaps(
                dev.wharf.proto.config.v1.VariableMap.newBuilder()
                    .setVariable("tier")
                    .setSource("$http_x_tier")
                    .setDefaultValue("free"))
            .addRateLimitZones(
                dev.wharf.proto.config.v1.RateLimitZone.newBuilder()
                    .setName("perip")
                    .setKey("$binary_remote_addr")
                    .setRate("10r/s"));
    for (int i = 0; i < 50; i++) {
      c.addRoutes(
          Route.newBuilder()
              .setName("r" + i)
              .addListeners(i % 5 == 0 ? "admin" : "web")
              .setMatch(
                  RouteMatch.newBuilder()
                      .addHosts("h" + (i % 3) + ".example.com")
                      .setPath(PathMatch.newBuilder().setPrefix("/p" + i + "/")))
              .setProxy(ProxyAction.newBuilder().setUpstream(i % 2 == 0 ? "app" : "api"))
              .addAllLimitReq(
                  i == 1
                      ? List.of(
                          dev.wharf.proto.config.v1.RequestLimit.newBuilder()
                              .setZone("perip")
                              .build())
                      : List.of()));
    }
    c.addRoutes(
        Route.newBuilder()
            .setName("hello")
            .setMatch(RouteMatch.newBuilder().setPath(PathMatch.newBuilder().setExact("/hello")))
            .setRespond(RespondAction.newBuilder().setStatus(200).setBody("hi $tier")));
    for (String listener : List.of("web", "admin")) { // one location, on two listeners
      c.addRoutes(
          Route.newBuilder()
              .setName("twin-" + listener)
              .addListeners(listener)
              .setMatch(
                  RouteMatch.newBuilder()
                      .addHosts("twin.example.com")
                      .setPath(PathMatch.newBuilder().setPrefix("/twin/")))
              .setRespond(RespondAction.newBuilder().setStatus(200)));
    }
    return c.build();
  }

  private static Upstream.Builder upstream(String name) {
    return Upstream.newBuilder()
        .setName(name)
        .addEndpoints(Endpoint.newBuilder().setAddress("127.0.0.1:9000"));
  }

  private static Arguments change(String what, UnaryOperator<Config.Builder> edit) {
    return Arguments.of(what, edit.apply(BASE.toBuilder()).build());
  }

  static Stream<Arguments> changes() {
    return Stream.of(
        change("nothing", c -> c),
        change(
            "one route gets a bad regex",
            c ->
                c.setRoutes(
                    7,
                    c.getRoutes(7).toBuilder()
                        .setMatch(
                            RouteMatch.newBuilder()
                                .setPath(PathMatch.newBuilder().setRegex("^/(unclosed"))))),
        change("an upstream routes use is removed", c -> c.removeUpstreams(1)),
        change("a listener routes name is removed", c -> c.removeListeners(1)),
        change("a zone a route uses is removed", c -> c.clearRateLimitZones()),
        change("a map a route uses is removed", c -> c.clearMaps()),
        change("an upstream is renamed", c -> c.setUpstreams(0, upstream("app2"))),
        change(
            "a route copied under its own name",
            c -> c.addRoutes(c.getRoutes(3).toBuilder().setMatch(c.getRoutes(4).getMatch()))),
        change(
            "a route that shadows a later one is inserted first",
            c -> {
              Route moved = c.getRoutes(20).toBuilder().setName("first").build();
              List<Route> rest = c.getRoutesList();
              return c.clearRoutes().addRoutes(moved).addAllRoutes(rest);
            }),
        change(
            "routes reversed",
            c -> {
              List<Route> routes = new java.util.ArrayList<>(c.getRoutesList());
              java.util.Collections.reverse(routes);
              return c.clearRoutes().addAllRoutes(routes);
            }),
        change(
            "a route renamed to an invalid name",
            c -> c.setRoutes(9, c.getRoutes(9).toBuilder().setName("bad name!"))),
        change(
            "an upstream gets an invalid endpoint",
            c ->
                c.setUpstreams(
                    0, upstream("app").setEndpoints(0, Endpoint.newBuilder().setAddress("nope")))),
        change(
            "a route gets the match of an earlier unchanged route",
            c -> c.setRoutes(33, c.getRoutes(33).toBuilder().setMatch(c.getRoutes(3).getMatch()))),
        change(
            "a route gets the match of later unchanged routes",
            c -> {
              c.setRoutes(10, c.getRoutes(10).toBuilder().setMatch(c.getRoutes(40).getMatch()));
              return c.setRoutes(
                  19, c.getRoutes(19).toBuilder().setMatch(c.getRoutes(40).getMatch()));
            }),
        change(
            "a route gets the same path as another on another host",
            c -> c.setRoutes(2, c.getRoutes(2).toBuilder().setMatch(match(c, 4, "/p4/")))),
        change(
            "a route gets an exact path equal to another's prefix",
            c ->
                c.setRoutes(
                    6,
                    c.getRoutes(6).toBuilder()
                        .setMatch(
                            c.getRoutes(36).getMatch().toBuilder()
                                .setPath(PathMatch.newBuilder().setExact("/p36/"))))),
        change(
            "a route and its clash both change",
            c -> {
              c.setRoutes(12, c.getRoutes(12).toBuilder().setResponseHeaders(header()));
              return c.setRoutes(
                  42, c.getRoutes(42).toBuilder().setMatch(c.getRoutes(12).getMatch()));
            }),
        change(
            "a route is renamed to the name of another",
            c -> c.setRoutes(8, c.getRoutes(8).toBuilder().setName("r9"))),
        change(
            "two routes swap names and one takes the other's match",
            c -> {
              Route a = c.getRoutes(21);
              Route b = c.getRoutes(24);
              c.setRoutes(21, b.toBuilder().setName(a.getName()));
              return c.setRoutes(24, a.toBuilder().setName(b.getName()));
            }),
        change(
            "a route duplicating another is appended",
            c -> c.addRoutes(c.getRoutes(15).toBuilder().setName("copy"))),
        change(
            "a route's path match is cleared",
            c ->
                c.setRoutes(
                    16,
                    c.getRoutes(16).toBuilder()
                        .setMatch(c.getRoutes(16).getMatch().toBuilder().clearPath()))),
        change("the last route is removed", c -> c.removeRoutes(c.getRoutesCount() - 1)),
        change(
            "only a route's headers change",
            c -> c.setRoutes(30, c.getRoutes(30).toBuilder().setResponseHeaders(header()))),
        change(
            "a route keeps its match and moves to the listener of a route with the same match",
            c -> {
              int twin = c.getRoutesCount() - 1;
              return c.setRoutes(
                  twin, c.getRoutes(twin).toBuilder().clearListeners().addListeners("web"));
            }),
        change(
            "a route keeps its match and is put on every listener",
            c -> {
              int twin = c.getRoutesCount() - 2;
              return c.setRoutes(twin, c.getRoutes(twin).toBuilder().clearListeners());
            }),
        change(
            "a route keeps its match and gets an invalid error page",
            c ->
                c.setRoutes(
                    11,
                    c.getRoutes(11).toBuilder()
                        .addErrorPages(
                            dev.wharf.proto.config.v1.ErrorPage.newBuilder()
                                .addCodes(404)
                                .setTarget("@named")))),
        change(
            "a route keeps its match and names an upstream that does not exist",
            c ->
                c.setRoutes(
                    13,
                    c.getRoutes(13).toBuilder()
                        .setProxy(ProxyAction.newBuilder().setUpstream("nowhere")))));
  }

  /** Route {@code i}'s hosts with a prefix match on {@code prefix}. */
  private static RouteMatch match(Config.Builder c, int i, String prefix) {
    return c.getRoutes(i).getMatch().toBuilder()
        .setPath(PathMatch.newBuilder().setPrefix(prefix))
        .build();
  }

  private static dev.wharf.proto.config.v1.HeaderRules header() {
    return dev.wharf.proto.config.v1.HeaderRules.newBuilder()
        .addSet(dev.wharf.proto.config.v1.Header.newBuilder().setName("x-changed").setValue("1"))
        .build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void reportsWhatValidatingTheConfigAloneReports(String what, Config next)
      throws InvalidProtocolBufferException {
    assertTrue(ConfigValidator.validate(BASE).isEmpty(), "the base is valid");
    List<ConfigError> alone = ConfigValidator.validate(next);

    assertEquals(alone, ConfigValidator.validate(next, BASE), what);
    Config parsed = Config.parseFrom(next.toByteArray()); // shares no object with BASE
    assertEquals(alone, ConfigValidator.validate(parsed, BASE), what + ", parsed from bytes");
    assertEquals(
        alone,
        ConfigValidator.validate(parsed, RouteDelta.of(parsed, BASE)),
        what + ", with the routes compared once");
  }

  @org.junit.jupiter.api.Test
  void aChangedRouteThatShadowsAnUnchangedOneIsRefusedAgainstThePrevious()
      throws InvalidProtocolBufferException {
    Config.Builder c = BASE.toBuilder();
    c.setRoutes(10, c.getRoutes(10).toBuilder().setMatch(c.getRoutes(40).getMatch()));
    Config next = Config.parseFrom(c.build().toByteArray());

    List<ConfigError> errors = ConfigValidator.validate(next, RouteDelta.of(next, BASE));

    assertEquals(1, errors.size(), errors.toString());
    assertEquals("routes[40].match", errors.get(0).path());
    assertTrue(errors.get(0).message().contains("routes[10] ('r10')"), errors.toString());
  }
}
