package dev.wharf.dataplane.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.upstream.EndpointRegistry;
import dev.wharf.dataplane.upstream.Upstreams;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Route selection reproduces nginx's documented {@code location} and {@code server_name} rules. */
class RoutingTableTest {

  private static RoutingTable table(String yaml) {
    try {
      var config = ConfigDocuments.load(yaml, "test");
      return RoutingTable.compile(
          config, Upstreams.compile(config, new EndpointRegistry(), ThreadLocalRandom::current));
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static String routeFor(RoutingTable table, String host, String uri) {
    RoutingTable.Selection s = table.select("web", host, uri);
    return s == null ? "none" : s.route().name();
  }

  /** The example of nginx's {@code location} documentation, configurations A to E. */
  private static final RoutingTable NGINX_LOCATION_EXAMPLE =
      table(
          """
      listeners: [{name: web, port: 80}]
      routes:
        - {name: A, match: {path: {exact: /}}, respond: {}}
        - {name: B, match: {path: {prefix: /}}, respond: {}}
        - {name: C, match: {path: {prefix: /documents/}}, respond: {}}
        - {name: D, match: {path: {prefix_no_regex: /images/}}, respond: {}}
        - {name: E, match: {path: {regex_case_insensitive: "\\\\.(gif|jpg|jpeg)$"}}, respond: {}}
      """);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/,                        A",
    "/index.html,              B",
    "/documents/document.html, C",
    "/images/1.gif,            D",
    "/documents/1.jpg,         E",
    "/documents/1.JPG,         E",
    "/other/x.jpeg,            E",
  })
  void nginxDocumentedLocationExample(String uri, String expected) {
    assertEquals(expected, routeFor(NGINX_LOCATION_EXAMPLE, "any.host", uri));
  }

  private static final RoutingTable LOCATION_RULES =
      table(
          """
      listeners: [{name: web, port: 80}]
      routes:
        - {name: api, match: {path: {prefix: /api}}, respond: {}}
        - {name: api-v2, match: {path: {prefix: /api/v2/}}, respond: {}}
        - {name: static-no-regex, match: {path: {prefix_no_regex: /static/}}, respond: {}}
        - {name: php-first, match: {path: {regex: "\\\\.php$"}}, respond: {}}
        - {name: php-second, match: {path: {regex: "^/api/.*\\\\.php$"}}, respond: {}}
        - {name: exact-login, match: {path: {exact: /login}}, respond: {}}
        - {name: case-sensitive, match: {path: {regex: "^/CaSe"}}, respond: {}}
      """);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // prefixes compare characters, not path segments, as nginx does
    "/apiary,             api",
    "/api/v2/users,       api-v2",
    "/api/v1/users,       api",
    // a regex beats a plain prefix; the first regex in config order wins
    "/api/v2/x.php,       php-first",
    // ^~ stops the regex search
    "/static/x.php,       static-no-regex",
    // exact matches only the exact path
    "/login,              exact-login",
    "/login/,             none",
    // ~ is case-sensitive
    "/CaSe/x,             case-sensitive",
    "/case/x,             none",
    "/nothing,            none",
  })
  void locationRulesFollowNginx(String uri, String expected) {
    assertEquals(expected, routeFor(LOCATION_RULES, "h", uri));
  }

  @Test
  void regexGroupsAreAvailableToTheChosenRoute() {
    RoutingTable t =
        table(
            """
        listeners: [{name: web, port: 80}]
        routes:
          - {name: r, match: {path: {regex: "^/u/(\\\\d+)/(\\\\w+)$"}}, respond: {}}
        """);

    RoutingTable.Selection s = t.select("web", "h", "/u/42/profile");

    assertEquals("42", s.groups().group(1));
    assertEquals("profile", s.groups().group(2));
  }

  private static final RoutingTable SERVER_NAMES =
      table(
          """
      listeners: [{name: web, port: 80}]
      routes:
        - {name: first-server, match: {hosts: [first.test], path: {prefix: /}}, respond: {}}
        - {name: exact, match: {hosts: [www.example.org], path: {prefix: /}}, respond: {}}
        - {name: lead-short, match: {hosts: ["*.example.org"], path: {prefix: /}}, respond: {}}
        - {name: lead-long, match: {hosts: ["*.api.example.org"], path: {prefix: /}},
           respond: {}}
        - {name: dot-form, match: {hosts: [.example.net], path: {prefix: /}}, respond: {}}
        - {name: trailing, match: {hosts: ["www.example.*"], path: {prefix: /}}, respond: {}}
        - {name: regex-1, match: {hosts: ["~^(mail|smtp)\\\\."], path: {prefix: /}}, respond: {}}
        - {name: regex-2, match: {hosts: ["~\\\\.mail\\\\."], path: {prefix: /}}, respond: {}}
      """);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "www.example.org,       exact",
    "WWW.Example.ORG.,      exact",
    "a.example.org,         lead-short",
    "a.b.example.org,       lead-short",
    "x.api.example.org,     lead-long",
    // the leading wildcard is tried before the trailing one
    "www.example.org.uk,    trailing",
    "www.example.com,       trailing",
    "example.net,           dot-form",
    "a.b.example.net,       dot-form",
    "mail.other.com,        regex-1",
    "smtp.mail.other.com,   regex-1",
    "x.mail.other.com,      regex-2",
    // no default server: unknown hosts go to the first server of the listener, as in nginx
    "unknown.host,          first-server",
    "example.org,           first-server",
  })
  void serverNamesFollowNginx(String host, String expected) {
    assertEquals(expected, routeFor(SERVER_NAMES, host, "/"));
  }

  @Test
  void routesWithoutHostsFormTheDefaultServer() {
    RoutingTable t =
        table(
            """
        listeners: [{name: web, port: 80}]
        routes:
          - {name: named, match: {hosts: [a.test], path: {prefix: /}}, respond: {}}
          - {name: default, match: {path: {prefix: /}}, respond: {}}
        """);

    assertEquals("named", routeFor(t, "a.test", "/x"));
    assertEquals("default", routeFor(t, "b.test", "/x"));
  }

  @Test
  void aChosenServerDoesNotFallBackToAnotherServersRoutes() {
    RoutingTable t =
        table(
            """
        listeners: [{name: web, port: 80}]
        routes:
          - {name: named, match: {hosts: [a.test], path: {prefix: /api}}, respond: {}}
          - {name: default, match: {path: {prefix: /}}, respond: {}}
        """);

    assertEquals("none", routeFor(t, "a.test", "/other"));
  }

  @Test
  void routesAreScopedToTheirListeners() {
    RoutingTable t =
        table(
            """
        listeners: [{name: web, port: 80}, {name: admin, port: 81}]
        routes:
          - {name: admin-only, listeners: [admin], match: {path: {prefix: /}}, respond: {}}
          - {name: everywhere, match: {path: {prefix: /x}}, respond: {}}
        """);

    assertEquals("admin-only", t.select("admin", "h", "/").route().name());
    assertEquals("everywhere", t.select("admin", "h", "/x").route().name());
    assertEquals("everywhere", t.select("web", "h", "/x").route().name());
    assertNull(t.select("web", "h", "/"));
    assertNull(t.select("no-such-listener", "h", "/x"));
  }
}
