package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@code slash_redirect}, {@code proxy.uri} and {@code proxy.location_rewrites}, with
 * the messages a user reads.
 */
class ProxyRouteRulesTest {

  private static List<String> route(String routeYaml) {
    String yaml =
        """
        listeners:
          - {name: web, port: 8080}
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:9000"}]
        routes:
          - name: r
            %s
        """
            .formatted(routeYaml.replace("\n", "\n    "));
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  @Test
  void aSlashRedirectOnAProxiedSlashEndingPathIsValid() {
    assertEquals(
        List.of(),
        route("match: {path: {prefix: /static/}}\nproxy: {upstream: api}\nslash_redirect: true"));
    assertEquals(
        List.of(),
        route("match: {path: {exact: /static/}}\nproxy: {upstream: api}\nslash_redirect: true"));
  }

  @Test
  void aSlashRedirectNeedsAProxyAndAPathEndingInASlash() {
    assertEquals(
        List.of(
            "routes[0].slash_redirect: only proxy routes redirect to their slashed prefix, as nginx"
                + " does"),
        route("match: {path: {prefix: /s/}}\nrespond: {status: 200}\nslash_redirect: true"));
    assertEquals(
        List.of(
            "routes[0].slash_redirect: the path '/static' does not end in '/' after a name"
                + " (expected e.g. /static/)"),
        route("match: {path: {prefix: /static}}\nproxy: {upstream: api}\nslash_redirect: true"));
    assertEquals(
        List.of(
            "routes[0].slash_redirect: needs an exact or prefix path match (a regex has no prefix"
                + " to redirect to)"),
        route("match: {path: {regex: ^/s/}}\nproxy: {upstream: api}\nslash_redirect: true"));
  }

  @Test
  void aUriTemplateMayUseTheRouteRegexGroupsAndRequestVariables() {
    assertEquals(
        List.of(),
        route(
            "match: {path: {regex: \"^/users/(\\\\d+)$\"}}\n"
                + "proxy: {upstream: api, uri: \"/u/$1$is_args$args\"}"));
  }

  @Test
  void aUriTemplateIsCheckedAgainstTheRouteRegexAndTheRewrite() {
    assertEquals(
        List.of("routes[0].proxy.uri: $2 refers to group 2, but the regex has 1 group"),
        route("match: {path: {regex: \"^/u/(\\\\d+)$\"}}\nproxy: {upstream: api, uri: \"/u/$2\"}"));
    assertEquals(
        List.of("routes[0].proxy.uri: $1 refers to a regex group, but there is no regex here"),
        route("match: {path: {prefix: /}}\nproxy: {upstream: api, uri: \"/u/$1\"}"));
    assertEquals(
        List.of("routes[0].proxy.uri: 'u/x' must start with '/' or a variable"),
        route("match: {path: {prefix: /}}\nproxy: {upstream: api, uri: \"u/x\"}"));
    assertEquals(
        List.of("routes[0].proxy.uri: set uri or rewrite, not both"),
        route(
            "match: {path: {prefix: /}}\nproxy: {upstream: api, uri: /x,"
                + " rewrite: {regex: ^/, replacement: /}}"));
    assertEquals(
        List.of("routes[0].proxy.uri: unknown variable $nope"),
        route("match: {path: {prefix: /}}\nproxy: {upstream: api, uri: \"/$nope\"}"));
  }

  @Test
  void locationRewritesNeedExactlyOneOfPrefixAndRegex() {
    assertEquals(
        List.of(),
        route(
            "match: {path: {prefix: /}}\nproxy: {upstream: api, location_rewrites: ["
                + "{prefix: \"http://a/\", replacement: /},"
                + " {regex: \"^http://(b)/\", case_insensitive: true, replacement: \"/$1/\"}]}"));
    assertEquals(
        List.of("routes[0].proxy.location_rewrites[0]: set exactly one of prefix and regex"),
        route(
            "match: {path: {prefix: /}}\nproxy: {upstream: api, location_rewrites: ["
                + "{prefix: a, regex: b, replacement: /}]}"));
    assertEquals(
        List.of("routes[0].proxy.location_rewrites[0].case_insensitive: applies to a regex only"),
        route(
            "match: {path: {prefix: /}}\nproxy: {upstream: api, location_rewrites: ["
                + "{prefix: a, case_insensitive: true, replacement: /}]}"));
    assertEquals(
        List.of(
            "routes[0].proxy.location_rewrites[0].replacement: $2 refers to group 2, but the regex"
                + " has 1 group"),
        route(
            "match: {path: {prefix: /}}\nproxy: {upstream: api, location_rewrites: ["
                + "{regex: \"^(a)\", replacement: \"/$2\"}]}"));
  }
}
