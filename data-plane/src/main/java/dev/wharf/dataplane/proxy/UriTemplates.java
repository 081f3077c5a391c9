package dev.wharf.dataplane.proxy;

import dev.wharf.config.Template;
import dev.wharf.dataplane.http.TemplateRenderer;
import dev.wharf.dataplane.http.UriPaths;
import java.nio.charset.StandardCharsets;
import java.util.regex.MatchResult;

/**
 * The request target of a route with {@code proxy.uri}, nginx's {@code proxy_pass} URI with
 * variables: rendered per request from the variables and the route regex's captures.
 *
 * <p>Captures come from the decoded, normalised path, so they are percent-encoded again as a path
 * is ({@code ?}, {@code #}, {@code %}, spaces, CR and LF included): a capture never adds a query,
 * never splits the request line and never turns into another path than the one matched. Variables
 * go as they are ({@code $args} and {@code $request_uri} are already encoded), except that what no
 * request line may carry (controls, spaces, bytes above ASCII, and {@code "<>\^`{|}#}) is
 * percent-encoded. nginx copies both raw; the difference shows only for such bytes.
 */
final class UriTemplates {
  private static final String REFUSED_ASCII = "\"<>\\^`{|}#";

  private UriTemplates() {}

  /** The target for the endpoint; always starts with {@code /}. */
  static String render(
      Template uri, TemplateRenderer.VariableSource variables, MatchResult routeGroups) {
    StringBuilder out = new StringBuilder();
    for (Template.Part part : uri.parts()) {
      if (part instanceof Template.Literal l) {
        out.append(l.text());
      } else if (part instanceof Template.Variable v) {
        out.append(variables.get(v.name()));
      } else if (part instanceof Template.Group g) {
        String group = groupOf(routeGroups, g.number());
        out.append(UriPaths.encode(group));
      }
    }
    String target = requestLineSafe(out.toString());
    return target.startsWith("/") ? target : "/" + target;
  }

  private static String groupOf(MatchResult groups, int number) {
    if (groups == null || number > groups.groupCount()) {
      return "";
    }
    String value = groups.group(number);
    return value == null ? "" : value;
  }

  /** {@code value} with the bytes a request target cannot carry raw percent-encoded, as UTF-8. */
  static String requestLineSafe(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 8);
    for (byte raw : bytes) {
      int b = raw & 0xff;
      if (b <= 0x20 || b >= 0x7f || REFUSED_ASCII.indexOf(b) >= 0) {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
      } else {
        out.append((char) b);
      }
    }
    return out.toString();
  }
}
