package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessControlRulesTest {
  private static final String BASE =
      """
      listeners:
        - {name: web, port: 8080}
      upstreams:
        - name: api
          endpoints: [{address: "127.0.0.1:9000"}]
      routes:
        - name: r
          match: {path: {prefix: /}}
          proxy: {upstream: api}
      """;

  private static List<String> errorsOf(String routeFields) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(BASE + routeFields.indent(4), "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  @Test
  void goodRulesAndAuthPass() {
    assertEquals(
        List.of(),
        errorsOf(
            """
            access: {rules: [{allow: true, source: 10.0.0.0/8}, {allow: true, source: "::1"}, {source: all}]}
            basic_auth: {enabled: true, realm: Staff, user_file: /etc/wharf/htpasswd}
            satisfy: any
            """));
    assertEquals(List.of(), errorsOf("basic_auth: {enabled: false}"));
  }

  @Test
  void badSourcesAndAuthAreNamedByFieldAndReason() {
    assertEquals(
        List.of(
            "routes[0].access.rules[0].source: '10.0.0.0/33': prefix length '33' (expected: 0-32"
                + " for IPv4)",
            "routes[0].access.rules[1].source: 'example.com' is not an IP address or range"
                + " (expected e.g. 10.0.0.0/8, ::1/128, 192.0.2.7; host names are not resolved)",
            "routes[0].access.rules[2].source: required: an address, a CIDR or 'all'",
            "routes[0].basic_auth.realm: must not contain '\"' or control characters (it is sent"
                + " in a header)",
            "routes[0].basic_auth.user_file: 'htpasswd' must be an absolute path"),
        errorsOf(
            """
            access: {rules: [{source: 10.0.0.0/33}, {source: example.com}, {allow: true}]}
            basic_auth: {enabled: true, realm: 'a"b', user_file: htpasswd}
            """));
    assertEquals(
        List.of(
            "routes[0].basic_auth.user_file: required when basic_auth is enabled (an htpasswd"
                + " file)"),
        errorsOf("basic_auth: {enabled: true, realm: R}"));
  }

  @Test
  void htpasswdAcceptsBcryptApr1AndSha1AndRefusesTheRestWithTheLine() {
    Htpasswd.Parsed parsed =
        Htpasswd.parse(
            String.join(
                "\n",
                "# comment",
                "",
                "bee:$2y$10$" + "a".repeat(53),
                "apr:$apr1$sAlT1234$mTR3kJvaUqLN49hZ/5Ro2.",
                "sha:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=:a comment",
                "plain:secret",
                "tagged:{PLAIN}secret",
                "des:abJnggxhB/yWI",
                "md5:$1$salt$qJH7.N4xYta3aEG/dfqo/0",
                "sha512:$6$salt$abc",
                "ssha:{SSHA}abc",
                "cost:$2y$31$" + "a".repeat(53),
                "short:$2y$10$abc",
                "nocolon"));
    assertEquals(List.of("bee", "apr", "sha"), List.copyOf(parsed.users().keySet()));
    assertEquals(
        List.of(
            "line 6 (user 'plain'): plain-text password refused (hash it with htpasswd -B)",
            "line 7 (user 'tagged'): plain-text password refused (hash it with htpasswd -B)",
            "line 8 (user 'des'): crypt(3) DES hash refused: it keeps 8 characters of a password"
                + " (use htpasswd -B)",
            "line 9 (user 'md5'): unsupported hash scheme '$1$' (expected: bcrypt $2y$, apr1"
                + " $apr1$ or SHA1 {SHA})",
            "line 10 (user 'sha512'): unsupported hash scheme '$6$' (expected: bcrypt $2y$, apr1"
                + " $apr1$ or SHA1 {SHA})",
            "line 11 (user 'ssha'): unsupported hash scheme '{SSHA}' (expected: bcrypt $2y$,"
                + " apr1 $apr1$ or SHA1 {SHA})",
            "line 12 (user 'cost'): bcrypt cost 31 (expected: 4-16)",
            "line 13 (user 'short'): malformed $2y$ hash",
            "line 14: expected 'user:hash'"),
        parsed.problems());
    assertEquals(Map.of(), Htpasswd.parse("").users());
    assertNull(Htpasswd.refusal("{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="));
  }
}
