package dev.wharf.dataplane.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.dataplane.http.TemplateRenderer;
import dev.wharf.proto.config.v1.AccessLog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {

  /** Like the data plane's sources: unknown or unset is "". */
  static TemplateRenderer.VariableSource vars(Map<String, String> values) {
    return name -> values.getOrDefault(name, "");
  }

  private static final Map<String, String> REQUEST =
      Map.ofEntries(
          Map.entry("remote_addr", "192.0.2.7"),
          Map.entry("time_local", "10/Oct/2025:13:55:36 +0000"),
          Map.entry("time_iso8601", "2025-10-10T13:55:36+00:00"),
          Map.entry("request", "GET /index.html HTTP/1.1"),
          Map.entry("status", "200"),
          Map.entry("body_bytes_sent", "2326"),
          Map.entry("http_referer", "https://example.com/"),
          Map.entry("http_user_agent", "curl/8.5.0"),
          Map.entry("request_time", "0.012"),
          Map.entry("upstream_addr", "10.0.0.3:8080"),
          Map.entry("upstream_status", "200"),
          Map.entry("upstream_response_time", "0.010"),
          Map.entry("request_id", "5f2b9c0e"));

  private static String text(String format, Map<String, String> values) {
    return AccessLogFormat.compile(AccessLog.newBuilder().setFormat(format).build())
        .render(vars(values));
  }

  @Test
  void defaultTextFormatIsNginxCombinedPlusTimings() {
    AccessLogFormat format = AccessLogFormat.compile(AccessLog.newBuilder().setPath("x").build());

    assertEquals(
        "192.0.2.7 - - [10/Oct/2025:13:55:36 +0000] \"GET /index.html HTTP/1.1\" 200 2326"
            + " \"https://example.com/\" \"curl/8.5.0\" 0.012 0.010",
        format.render(vars(REQUEST)));
  }

  @Test
  void explicitTextEncodingWithoutFormatAlsoUsesTheDefault() {
    AccessLog config = AccessLog.newBuilder().setEncoding(AccessLog.Encoding.TEXT).build();

    assertEquals(
        AccessLogFormat.compile(AccessLog.getDefaultInstance()).render(vars(REQUEST)),
        AccessLogFormat.compile(config).render(vars(REQUEST)));
  }

  @Test
  void emptyValuesAreLoggedAsDashLikeNginxUnsetVariables() {
    assertEquals(
        "- - - [-] \"-\" - - \"-\" \"-\" - -",
        AccessLogFormat.compile(AccessLog.getDefaultInstance()).render(vars(Map.of())));
  }

  @Test
  void quoteBackslashAndControlCharactersInValuesAreHexEscaped() {
    assertEquals(
        "ua=\"a\\x22b\\x5Cc\\x0Ad\\x09e\\x7Ff\"",
        text("ua=\"$http_user_agent\"", Map.of("http_user_agent", "a\"b\\c\nd\te\u007ff")));
  }

  @Test
  void nonAsciiValuesAreWrittenAsOneHexEscapePerUtf8Byte() {
    // é is C3 A9, € is E2 82 AC, 😀 (U+1F600) is F0 9F 98 80.
    assertEquals(
        "/caf\\xC3\\xA9/\\xE2\\x82\\xAC/\\xF0\\x9F\\x98\\x80",
        text("$request_uri", Map.of("request_uri", "/café/€/\uD83D\uDE00")));
  }

  @Test
  void theFormatsOwnTextIsNotEscaped() {
    assertEquals("\"é\\ 200\t", text("\"é\\ $status\t", Map.of("status", "200")));
  }

  @Test
  void adjacentAndBracedVariablesRenderInOrder() {
    assertEquals(
        "GET/a?x=1-",
        text(
            "${request_method}$uri$is_args$args$http_x",
            Map.of("request_method", "GET", "uri", "/a", "is_args", "?", "args", "x=1")));
  }

  @Test
  void variableNamesAreLookedUpInLowerCase() {
    assertEquals("200", text("$STATUS", Map.of("status", "200")));
  }

  @Test
  void defaultJsonFieldsInOrderWithUnsetValuesEmpty() {
    AccessLogFormat format =
        AccessLogFormat.compile(
            AccessLog.newBuilder().setEncoding(AccessLog.Encoding.JSON).build());
    Map<String, String> noUpstream = new java.util.HashMap<>(REQUEST);
    noUpstream.remove("upstream_addr");
    noUpstream.remove("upstream_status");
    noUpstream.remove("upstream_response_time");

    assertEquals(
        "{\"remote_addr\":\"192.0.2.7\",\"time_iso8601\":\"2025-10-10T13:55:36+00:00\","
            + "\"request\":\"GET /index.html HTTP/1.1\",\"status\":\"200\",\"body_bytes_sent\":\"2326\","
            + "\"request_time\":\"0.012\",\"upstream_addr\":\"\",\"upstream_status\":\"\","
            + "\"upstream_response_time\":\"\",\"http_referer\":\"https://example.com/\","
            + "\"http_user_agent\":\"curl/8.5.0\",\"request_id\":\"5f2b9c0e\"}",
        format.render(vars(noUpstream)));
  }

  @Test
  void jsonFieldsKeepTheConfiguredOrder() {
    AccessLogFormat format =
        AccessLogFormat.compile(
            AccessLog.newBuilder()
                .setEncoding(AccessLog.Encoding.JSON)
                .addAllFields(List.of("status", "remote_addr", "status"))
                .build());

    assertEquals(
        "{\"status\":\"200\",\"remote_addr\":\"192.0.2.7\",\"status\":\"200\"}",
        format.render(vars(REQUEST)));
  }

  @Test
  void jsonValuesEscapeQuoteBackslashAndControlsButKeepNonAscii() {
    AccessLogFormat format =
        AccessLogFormat.compile(
            AccessLog.newBuilder()
                .setEncoding(AccessLog.Encoding.JSON)
                .addFields("http_user_agent")
                .build());

    assertEquals(
        "{\"http_user_agent\":\"a\\\"b\\\\c\\u000Ad\\u0009e\\u001Ff\u007fcafé 😀\"}",
        format.render(vars(Map.of("http_user_agent", "a\"b\\c\nd\te\u001ff\u007fcafé 😀"))));
  }

  @Test
  void aRegexGroupCannotBeLogged() {
    assertThrows(IllegalArgumentException.class, () -> text("$1", Map.of()));
  }
}
