package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.wharf.proto.config.v1.ErrorPage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErrorPageRulesTest {
  private static final String BASE =
      """
      listeners:
        - {name: web, port: 8080}
      upstreams:
        - name: api
          endpoints: [{address: "127.0.0.1:9000"}]
      routes:
        - name: a
          match: {path: {prefix: /}}
          proxy: {upstream: api}
          intercept_errors: true
          error_pages:
      """;

  private static List<String> errorsOf(String pages) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(BASE + pages, "test");
    assertEquals(List.of(), parsed.errors(), "the test document itself must parse");
    return ConfigValidator.validate(parsed.config()).stream()
        .map(e -> e.path() + ": " + e.message())
        .toList();
  }

  @Test
  void nginxsEverydayErrorPagesAreValid() {
    assertEquals(
        List.of(),
        errorsOf(
            """
                - {codes: [404], target: /index.html}
                - {codes: [404], target: /index.html, status: 200}
                - {codes: [500, 502, 503, 504], target: "/50x.html?from=wharf"}
                - {codes: [403], target: /403.html, page_status: true}
                - {codes: [410], target: "http://example.test/"}
                - {codes: [404], target: "https://example.test/gone", status: 301}
            """));
  }

  @Test
  void codesOutsideNginxsRangeAndBadStatusesAreRefusedWithTheirPath() {
    assertEquals(
        List.of(
            "routes[0].error_pages[0].codes[0]: 200 (expected: 300 to 599, not 499, as nginx)",
            "routes[0].error_pages[0].codes[1]: 499 (expected: 300 to 599, not 499, as nginx)",
            "routes[0].error_pages[0].codes[2]: 600 (expected: 300 to 599, not 499, as nginx)",
            "routes[0].error_pages[1].codes: required: at least one status (300 to 599)",
            "routes[0].error_pages[2].status: 200 (expected for a URL: 301, 302, 303, 307 or 308)",
            "routes[0].error_pages[3].page_status: not together with status (nginx `=` takes the"
                + " page's own status)",
            "routes[0].error_pages[4].page_status: not for a URL: a redirect answers with its own"
                + " status",
            "routes[0].error_pages[5].status: 99 (expected: 200 to 599, not 499)"),
        errorsOf(
                """
                - {codes: [200, 499, 600, 404], target: /x}
                - {target: /x}
                - {codes: [404], target: "http://example.test/", status: 200}
                - {codes: [404], target: /x, status: 200, page_status: true}
                - {codes: [404], target: "http://example.test/", page_status: true}
                - {codes: [404], target: /x, status: 99}
            """)
            .stream()
            .map(e -> e.replaceFirst(" \\(route a\\)", ""))
            .toList());
  }

  @Test
  void namedLocationsRelativePathsVariablesAndControlsAreRefused() {
    assertEquals(
        "named locations are not supported; point the page at a path a route serves",
        ErrorPageRules.targetProblem("@fallback").replaceFirst("^'@fallback': ", ""));
    assertEquals(
        "'50x.html' (expected: a path starting with / or an absolute http(s) URL)",
        ErrorPageRules.targetProblem("50x.html"));
    assertEquals(
        "'/$uri.html': variables are not supported in an error page",
        ErrorPageRules.targetProblem("/$uri.html"));
    assertEquals(
        "character 10 at index 2 (expected: no spaces or controls)",
        ErrorPageRules.targetProblem("/a\nb"));
    assertEquals(
        "'//evil.test/': expected a path, not a host",
        ErrorPageRules.targetProblem("//evil.test/"));
    assertEquals("'http:///x': the URL has no host", ErrorPageRules.targetProblem("http:///x"));
    assertEquals(
        "'ftp://example.test/' (expected: a path starting with / or an absolute http(s) URL)",
        ErrorPageRules.targetProblem("ftp://example.test/"));
    assertEquals(
        "required: a path starting with / or an absolute http(s) URL",
        ErrorPageRules.targetProblem(""));
    assertNull(ErrorPageRules.targetProblem("/index.html"));
  }

  @Test
  void theAnswersStatusFollowsNginx() {
    ErrorPage spa = ErrorPage.newBuilder().addCodes(404).setTarget("/index.html").build();
    assertEquals(404, ErrorPageRules.answerStatus(spa, 404));
    assertEquals(200, ErrorPageRules.answerStatus(spa.toBuilder().setStatus(200).build(), 404));
    assertEquals(0, ErrorPageRules.answerStatus(spa.toBuilder().setPageStatus(true).build(), 404));
    ErrorPage away = ErrorPage.newBuilder().addCodes(404).setTarget("http://example.test/").build();
    assertEquals(302, ErrorPageRules.answerStatus(away, 404));
    assertEquals(301, ErrorPageRules.answerStatus(away.toBuilder().setStatus(301).build(), 404));
  }
}
