package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule of the validator, with the message a user reads. */
class ConfigValidatorTest {

  /** A valid base that most tests add routes with one mistake to. */
  private static final String BASE =
      """
      listeners:
        - {name: web, port: 8080}
      upstreams:
        - name: api
          endpoints: [{address: "127.0.0.1:9000"}]
      """;

  private static List<String> errorsOf(String yaml) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  private static List<String> withRoutes(String routesYaml) {
    return errorsOf(BASE + "routes:\n" + routesYaml.indent(2));
  }

  @Test
  void aBrokenDocumentYieldsEveryErrorWithItsPathInOneRun() {
    String yaml =
        """
        upstreams:
          - name: api
            endpoints: [{address: "10.0.0.1:80"}]
        routes:
          - name: users
            match: {path: {prefix: /users}}
            proxy: {upstream: user-service}
          - name: api
            match: {path: {prefix: /api}}
            proxy:
              upstream: api
              rewrite: {regex: "^/api/(v1", replacement: /$1}
              read_timeout: -5s
          - name: users
            match: {path: {prefix: /people}}
            proxy: {upstream: api}
        """;

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigDocuments.load(yaml, "t"));

    assertEquals(
        List.of(
            "route users: routes[2].name: 'users' is already the name of routes[0] (line 14)",
            "route users: routes[0].proxy.upstream: no upstream named 'user-service' (known: api)"
                + " (line 7)",
            "route api: routes[1].proxy.rewrite.regex: unclosed group near index 9 (line 12)",
            "route api: routes[1].proxy.read_timeout: -5s (expected: > 0) (line 13)"),
        e.errors().stream().map(ConfigError::toString).toList());
    assertEquals("4 errors in config", e.getMessage().lines().findFirst().orElseThrow());
  }

  @Test
  void aDanglingReferenceNamesTheRouteNotOnlyItsIndex() {
    String yaml =
        """
        listeners:
          - {name: web, port: 8080}
        upstreams:
          - name: api
            endpoints: [{address: "127.0.0.1:9000"}]
            connect_timeout: -1s
        routes:
          - {name: www, match: {path: {prefix: /}}, proxy: {upstream: api}}
          - {name: api, match: {path: {prefix: /api/}}, proxy: {upstream: gone}}
          - {name: "bad name", match: {path: {prefix: /b/}}, proxy: {upstream: gone}}
        """;
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml, "test");

    assertEquals(
        List.of(
            "upstream api: upstreams[0].connect_timeout: -1s (expected: > 0)",
            "route api: routes[1].proxy.upstream: no upstream named 'gone' (known: api)",
            "routes[2].name: 'bad name' is not a valid name (letters, digits, '.', '_', '-';"
                + " starting with a letter or digit; at most 128)",
            "routes[2].proxy.upstream: no upstream named 'gone' (known: api)"),
        ConfigValidator.validate(parsed.config()).stream().map(ConfigError::toString).toList());
  }

  @Test
  void theValidBaseHasNoErrors() {
    assertEquals(List.of(), errorsOf(BASE));
  }

  @Test
  void namesMustBePresentUniqueAndWellFormed() {
    assertEquals(
        List.of(
            "listeners[1].name: 'web' is already the name of listeners[0]",
            "upstreams[1].name: required",
            "upstreams[2].name: 'has space' is not a valid name (letters, digits, '.', '_', '-'; "
                + "starting with a letter or digit; at most 128)"),
        errorsOf(
            """
            listeners:
              - {name: web, port: 8080}
              - {name: web, port: 8081}
            upstreams:
              - {name: test.com, endpoints: [{address: "127.0.0.1:9000"}]}
              - {endpoints: [{address: "127.0.0.1:1"}]}
              - {name: has space, endpoints: [{address: "127.0.0.1:2"}]}
            """));
  }

  @Test
  void listenersNeedAPortAnIpAddressAndTheirOwnSocket() {
    assertEquals(
        List.of(
            "listeners[0].port: 0 (expected: 1-65535)",
            "listeners[1].address: 'localhost' is not an IP address "
                + "(expected e.g. 0.0.0.0, 127.0.0.1, ::)",
            "listeners[3].port: 0.0.0.0:81 is already used by listeners[2]",
            "listeners[4].keepalive_timeout: -1s (expected: >= 0)",
            "listeners[4].max_request_header_size: 100 (expected: 1024-1048576)"),
        errorsOf(
            """
            listeners:
              - {name: a}
              - {name: b, address: localhost, port: 80}
              - {name: c, port: 81}
              - {name: d, address: 0.0.0.0, port: 81}
              - {name: e, address: "::1", port: 82, max_request_header_size: 100,
                 keepalive_timeout: -1s}
            """));
  }

  @Test
  void aHeaderLineLimitIsBetweenOneKibibyteAndOneMebibyteAndFitsInTheHead() {
    assertEquals(
        List.of(
            "listeners[0].max_header_line_size: 1023 (expected: 1024-1048576)",
            "listeners[1].max_header_line_size: 1048577 (expected: 1024-1048576)",
            "listeners[1].max_header_line_size: 1048577 is larger than max_request_header_size "
                + "1m (a header line is part of the head)",
            "listeners[2].max_header_line_size: 16k is larger than max_request_header_size 8k "
                + "(a header line is part of the head)"),
        errorsOf(
            """
            listeners:
              - {name: a, port: 80, max_header_line_size: 1023}
              - {name: b, port: 81, max_header_line_size: 1048577, max_request_header_size: 1m}
              - {name: c, port: 82, max_header_line_size: 16k, max_request_header_size: 8k}
              - {name: d, port: 83, max_header_line_size: 1k}
              - {name: e, port: 84, max_header_line_size: 1m, max_request_header_size: 1m}
              - {name: f, port: 85, max_header_line_size: 32k, max_request_header_size: 32k}
              - {name: g, port: 86, max_request_header_size: 2k}
            """));
  }

  @Test
  void anHttpsRedirectNeedsARedirectStatusAPortAndAPlainListener() {
    assertEquals(
        List.of(
            "listeners[0].https_redirect.status: 200 (expected: 301, 302, 303, 307 or 308)",
            "listeners[1].https_redirect.port: 65536 (expected: 1-65535)",
            "listeners[2].https_redirect: not on a listener with tls: it would redirect HTTPS "
                + "requests to themselves (put https_redirect on the plain-HTTP listener)"),
        errorsOf(
                """
            listeners:
              - {name: a, port: 80, https_redirect: {status: 200}}
              - {name: b, port: 81, https_redirect: {port: 65536}}
              - {name: c, port: 82, https_redirect: {}, tls: {}}
              - {name: d, port: 83, https_redirect: {}}
              - {name: e, port: 84, https_redirect: {status: 308, port: 8443}}
              - {name: f, port: 85, https_redirect: {status: 301, port: 1}}
            """)
            .stream()
            .filter(e -> e.contains("https_redirect"))
            .toList());
  }

  @Test
  void accessLogVariablesMustExist() {
    assertEquals(
        List.of(
            "listeners[0].access_log.format: unknown variable $request_tme",
            "listeners[1].access_log.fields[1]: unknown variable $$status "
                + "(write names without '$')"),
        errorsOf(
            """
            listeners:
              - name: a
                port: 1
                access_log: {path: stdout, format: "$remote_addr $request_tme"}
              - name: b
                port: 2
                access_log: {path: stdout, encoding: json, fields: [status, $status]}
            """));
  }

  @Test
  void upstreamsNeedValidDistinctEndpoints() {
    assertEquals(
        List.of(
            "upstreams[0].endpoints: an upstream needs at least one endpoint",
            "upstreams[1].endpoints[0].address: '10.0.0.1' is not host:port "
                + "(expected e.g. 127.0.0.1:8080; IPv6 as [::1]:8080)",
            "upstreams[1].endpoints[1].address: port 70000 (expected: 1-65535)",
            "upstreams[1].endpoints[3].weight: 5000 (expected: 1-1000)"),
        errorsOf(
            """
            upstreams:
              - name: empty
              - name: bad
                endpoints:
                  - address: 10.0.0.1
                  - address: "10.0.0.1:70000"
                  - address: "10.0.0.2:80"
                  - {address: "[::1]:80", weight: 5000}
            """));
  }

  @Test
  void duplicateEndpointsAreReported() {
    assertEquals(
        List.of("upstreams[0].endpoints[1].address: 'b.internal:80' is already " + "endpoints[0]"),
        errorsOf(
            """
            upstreams:
              - name: u
                endpoints: [{address: "b.internal:80"}, {address: "b.internal:80"}]
            """));
  }

  @Test
  void consistentHashNeedsARequestTimeKey() {
    assertEquals(
        List.of(
            "upstreams[0].balancing.hash_key: required by policy consistent_hash "
                + "(e.g. $remote_addr)",
            "upstreams[1].balancing.hash_key: $upstream_addr has no value yet here "
                + "(it is known only after an endpoint is picked)",
            "upstreams[2].balancing.hash_key: only used by policy consistent_hash"),
        errorsOf(
            """
            upstreams:
              - name: a
                endpoints: [{address: "127.0.0.1:1"}]
                balancing: {policy: consistent_hash}
              - name: b
                endpoints: [{address: "127.0.0.1:1"}]
                balancing: {policy: consistent_hash, hash_key: "$upstream_addr"}
              - name: c
                endpoints: [{address: "127.0.0.1:1"}]
                balancing: {policy: round_robin, hash_key: "$cookie_session"}
            """));
  }

  @Test
  void healthChecksNeedAKindAndSaneTimes() {
    assertEquals(
        List.of(
            "upstreams[0].health_check.timeout: 10s is longer than the interval 5s",
            "upstreams[0].health_check.unhealthy_threshold: 500 (expected: 1-100)",
            "upstreams[0].health_check: set one of http, tcp, websocket",
            "upstreams[1].health_check.interval: 0s (expected: > 0)",
            "upstreams[1].health_check.http.path: must start with '/'",
            "upstreams[1].health_check.http.expected_statuses[0].max: 199 (expected: 200-599)"),
        errorsOf(
            """
            upstreams:
              - name: a
                endpoints: [{address: "127.0.0.1:1"}]
                health_check: {interval: 5s, timeout: 10s, unhealthy_threshold: 500}
              - name: b
                endpoints: [{address: "127.0.0.1:1"}]
                health_check:
                  interval: 0s
                  http: {path: healthz, expected_statuses: [{min: 200, max: 199}]}
            """));
  }

  @Test
  void drainAndEjectionSettingsAreChecked() {
    assertEquals(
        List.of(
            "upstreams[0].outlier_detection.max_ejection_time: shorter than base_ejection_time",
            "upstreams[0].outlier_detection.max_ejection_percent: 150 (expected: 0-100)",
            "upstreams[0].drain.mode: keep never closes connections, so timeout, spread and "
                + "max_closes_per_second have no effect; remove them or use close_after_timeout"),
        errorsOf(
            """
            upstreams:
              - name: a
                endpoints: [{address: "127.0.0.1:1"}]
                outlier_detection: {base_ejection_time: 1m, max_ejection_time: 10s,
                                    max_ejection_percent: 150}
                drain: {mode: keep, timeout: 30s}
            """));
  }

  @Test
  void routesMustReferToExistingObjects() {
    assertEquals(
        List.of(
            "routes[0].listeners[0]: no listener named 'admin' (known: web)",
            "routes[0].proxy.upstream: no upstream named 'ap' (known: api)"),
        withRoutes(
            """
            - name: r
              listeners: [admin]
              match: {path: {prefix: /}}
              proxy: {upstream: ap}
            """));
  }

  @Test
  void aWebSocketMaximumMessageSizeIsBetweenAKibibyteAndATebibyte() {
    assertEquals(
        List.of("routes[0].proxy.websocket.max_message_size: 100 (expected: 1024-1099511627776)"),
        withRoutes(
            """
            - name: a
              match: {path: {prefix: /a}}
              proxy: {upstream: api, websocket: {max_message_size: 100}}
            - name: b
              match: {path: {prefix: /b}}
              proxy: {upstream: api, websocket: {max_message_size: 16m}}
            """));
  }

  @Test
  void aRouteNeedsAPathMatchAndOneAction() {
    assertEquals(
        List.of(
            "routes[0].match.path: required: one of exact, prefix, prefix_no_regex, regex, "
                + "regex_case_insensitive",
            "routes[0]: set one of proxy, static, redirect, respond",
            "routes[1].match.path.prefix: 'api' must start with '/'"),
        withRoutes(
            """
            - name: r
            - {name: s, match: {path: {prefix: api}}, proxy: {upstream: api}}
            """));
  }

  @Test
  void regexesMustCompileAndGroupReferencesMustExist() {
    assertEquals(
        List.of(
            "routes[0].match.path.regex: dangling meta character '*' near index 0",
            "routes[1].proxy.rewrite.replacement: $2 refers to group 2, but the regex has 1 group",
            "routes[2].match.hosts[0]: unclosed character class near index 4"),
        withRoutes(
            """
            - {name: a, match: {path: {regex: "*.php"}}, respond: {status: 404}}
            - name: b
              match: {path: {prefix: /api}}
              proxy: {upstream: api, rewrite: {regex: "^/api/(.*)", replacement: "/$2"}}
            - {name: c, match: {hosts: ["~^[a-z"], path: {prefix: /}}, respond: {}}
            """));
  }

  @Test
  void everyFieldThatHoldsARegexRefusesWhatRe2CannotRunAndSaysWhere() {
    String why = " is not supported: Wharf's regexes run in linear time (RE2 syntax)";
    assertEquals(
        List.of(
            "routes[0].match.path.regex: negative lookahead (?!...)" + why,
            "routes[1].match.path.regex_case_insensitive: backreference \\1" + why,
            "routes[2].match.hosts[0]: lookbehind (?<=...)" + why,
            "routes[2].proxy.rewrite.regex: possessive quantifier ++" + why,
            "routes[3].match.path.regex: atomic group (?>...)" + why),
        withRoutes(
            """
            - {name: a, match: {path: {regex: "/\\\\.(?!well-known/)"}}, respond: {status: 404}}
            - {name: b, match: {path: {regex_case_insensitive: "^/(a)\\\\1"}}, respond: {}}
            - name: c
              match: {hosts: ["~(?<=x)\\\\.example\\\\.com$"], path: {prefix: /}}
              proxy: {upstream: api, rewrite: {regex: "^/api/(.++)", replacement: "/$1"}}
            - {name: d, match: {path: {regex: "^/(?>a|ab)c"}}, respond: {}}
            """));
  }

  @Test
  void hostPatternsFollowServerNameRules() {
    assertEquals(
        List.of(
            "routes[0].match.hosts[0]: 'api.*.example.com': a wildcard may only be a whole first "
                + "or last label (*.example.com, example.*)",
            "routes[0].match.hosts[1]: '_' is nginx's idiom for a catch-all name; in Wharf leave "
                + "hosts empty to match every host",
            "routes[0].match.hosts[2]: 'bad host' is not a host name"),
        withRoutes(
            """
            - name: a
              match:
                hosts: [api.*.example.com, _, bad host, "*.example.com", example.*,
                        .example.org, "~^(www\\\\.)?shop\\\\.io$"]
                path: {prefix: /}
              respond: {}
            """));
  }

  @Test
  void theHttp2VariablesAreKnownWhereverVariablesAreWritten() {
    assertEquals(
        List.of(),
        errorsOf(
            BASE.replace(
                    "{name: web, port: 8080}",
                    "{name: web, port: 8080, access_log: {path: stdout, format: \"$request"
                        + " $http2 $server_protocol\"}}")
                + """
                routes:
                  - name: a
                    match: {path: {prefix: /a}}
                    proxy: {upstream: api}
                    request_headers: {set: [{name: X-H2, value: "$http2 $server_protocol"}]}
                    response_headers: {set: [{name: X-H2, value: $http2}]}
                  - name: b
                    match: {path: {prefix: /b}}
                    respond: {body: "$http2"}
                """));
  }

  @Test
  void unknownVariablesAndVariablesWithoutAValueYetAreRefused() {
    assertEquals(
        List.of(
            "routes[0].request_headers.set[0].value: unknown variable $remote_address",
            "routes[0].request_headers.set[1].value: $status has no value yet here "
                + "(it is known only after the response)",
            "routes[0].request_headers.add[0].value: '$' at index 2 is not followed by a "
                + "variable name"),
        withRoutes(
            """
            - name: a
              match: {path: {prefix: /}}
              proxy: {upstream: api}
              request_headers:
                set:
                  - {name: X-Real-IP, value: $remote_address}
                  - {name: X-Status, value: $status}
                  - {name: X-Up, value: $upstream_addr}
                add:
                  - {name: X-Price, value: "5 $"}
              response_headers:
                set:
                  - {name: X-Upstream-Status, value: $upstream_status}
            """));
  }

  @Test
  void hopByHopHeadersAreLeftToWharf() {
    assertEquals(
        List.of(
            "routes[0].request_headers.set[0].name: Connection is a hop-by-hop or framing header "
                + "that Wharf sets itself (WebSocket upgrades are forwarded without header rules); "
                + "remove this rule",
            "routes[0].request_headers.remove[0]: 'Bad Header' is not a valid header name"),
        withRoutes(
            """
            - name: a
              match: {path: {prefix: /}}
              proxy: {upstream: api}
              request_headers:
                set: [{name: Connection, value: $connection_upgrade}]
                remove: [Bad Header]
            """));
  }

  @Test
  void onlyResponseHeaderRulesTakeAlways() {
    assertEquals(
        List.of(
            "routes[0].request_headers.set[0].always: only response header rules depend on the "
                + "status"),
        withRoutes(
            """
            - name: a
              match: {path: {prefix: /}}
              proxy: {upstream: api}
              request_headers:
                set: [{name: X-A, value: a, always: false}]
              response_headers:
                add: [{name: X-B, value: b, always: false}, {name: X-C, value: c, always: true}]
            """));
  }

  @Test
  void requestHeaderRulesNeedAProxyRoute() {
    assertEquals(
        List.of("routes[0].request_headers: only proxy routes send a request upstream"),
        withRoutes(
            """
            - name: a
              match: {path: {exact: /}}
              respond: {body: hi}
              request_headers: {remove: [Cookie]}
            """));
  }

  @Test
  void staticRoutesFollowNginxRules() {
    assertEquals(
        List.of(
            "routes[0].static: required: root or alias",
            "routes[0].static.try_files[1]: '=404' answers with a status, so it can only be last",
            "routes[1].static: set root or alias, not both",
            "routes[1].static.alias: needs an exact or prefix match (with a regex, use root)",
            "routes[1].static.index[0]: 'a/index.html' must be a file name",
            "routes[1].static.try_files[1]: 200 (expected: 400-599)"),
        withRoutes(
            """
            - name: a
              match: {path: {prefix: /}}
              static: {try_files: [$uri, "=404", /index.html]}
            - name: b
              match: {path: {regex: "\\\\.png$"}}
              static: {root: /srv, alias: /img, index: [a/index.html], try_files: [$uri, "=200"]}
            """));
  }

  @Test
  void tryFilesMayUseRegexGroupsButNotNamedLocations() {
    assertEquals(
        List.of(
            "routes[0].static.try_files[1]: '@backend' names an nginx named location; Wharf has "
                + "none (end with a URI such as /index.html, or a status such as =404)",
            "routes[1].static.try_files[0]: $1 refers to a regex group, but there is no regex here"),
        withRoutes(
            """
            - name: a
              match: {path: {regex: "^/img/(.*)$"}}
              static: {root: /srv, try_files: [/thumbs/$1, "@backend"]}
            - name: b
              match: {path: {prefix: /docs/}}
              static: {root: /srv, try_files: [/$1, "=404"]}
            """));
  }

  @Test
  void redirectsAndResponsesUseValidStatuses() {
    assertEquals(
        List.of(
            "routes[0].redirect.status: 200 (expected: 301, 302, 303, 307 or 308)",
            "routes[0].redirect.location: required (e.g. https://$host$request_uri)",
            "routes[1].respond.status: 700 (expected: 200-599)",
            "routes[2].respond.body: a 204 response has no body"),
        withRoutes(
            """
            - {name: a, match: {path: {prefix: /old}}, redirect: {status: 200}}
            - {name: b, match: {path: {prefix: /x}}, respond: {status: 700}}
            - {name: c, match: {path: {prefix: /y}}, respond: {status: 204, body: nothing}}
            """));
  }

  @Test
  void routesThatCanNeverBeChosenAreConflicts() {
    assertEquals(
        List.of(
            "routes[1].match: matches the same requests as routes[0] ('a'), which comes first, "
                + "so this route would never be used",
            "routes[4].match: matches the same requests as routes[3] ('d'), which comes first, "
                + "so this route would never be used"),
        withRoutes(
            """
            - {name: a, match: {path: {prefix: /api}}, respond: {}}
            - {name: b, match: {path: {prefix_no_regex: /api}}, respond: {}}
            - {name: c, match: {path: {exact: /api}}, respond: {}}
            - {name: d, match: {hosts: [Example.com], path: {regex: "^/x"}}, respond: {}}
            - {name: e, listeners: [web], match: {hosts: [example.com, b.com],
               path: {regex: "^/x"}}, respond: {}}
            - {name: f, match: {hosts: [other.com], path: {prefix: /api}}, respond: {}}
            - {name: g, match: {path: {regex_case_insensitive: "^/x"}}, respond: {}}
            """));
  }

  @Test
  void hostRegexesThatDifferOnlyInCaseAreDifferentVirtualHosts() {
    // \D and \d differ only in case but match different hosts; the data plane keeps them apart.
    assertEquals(
        List.of(),
        withRoutes(
            """
        - {name: a, match: {hosts: ['~^\\D+$'], path: {prefix: /}}, respond: {}}
        - {name: b, match: {hosts: ['~^\\d+$'], path: {prefix: /}}, respond: {}}
        """));
  }

  @Test
  void routesOnDifferentListenersDoNotConflict() {
    assertEquals(
        List.of(),
        errorsOf(
            """
        listeners:
          - {name: a, port: 1}
          - {name: b, port: 2}
        routes:
          - {name: x, listeners: [a], match: {path: {prefix: /}}, respond: {}}
          - {name: y, listeners: [b], match: {path: {prefix: /}}, respond: {}}
        """));
  }

  @Test
  void compressionSettingsAreChecked() {
    assertEquals(
        List.of(
            "routes[0].compression.level: 12 (expected: 1-9)",
            "routes[0].compression.types[0]: 'javascript' is not a content type "
                + "(expected e.g. text/css)"),
        withRoutes(
            """
            - name: a
              match: {path: {prefix: /}}
              respond: {}
              compression: {enabled: true, level: 12, types: [javascript]}
            """));
  }
}
