package dev.wharf.dataplane.http;

import dev.wharf.config.Template;
import dev.wharf.proto.config.v1.Header;
import dev.wharf.proto.config.v1.HeaderRules;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.regex.MatchResult;

/**
 * Compiled header rules of a route: remove, then set, then add. As with nginx's {@code
 * proxy_set_header}, a value that renders empty removes the header (set) or adds nothing (add), so
 * {@code X-Real-IP $http_x_real_ip} never sends an empty header.
 *
 * <p>Unlike nginx, a rendered value never carries a control character: CR, LF, NUL and the others
 * are percent-encoded ({@link HeaderValues#encodeUnsafe}), so {@code X-Uri: $uri} for {@code
 * /a%0d%0aInjected:%20yes} sends {@code X-Uri: /a%0D%0AInjected: yes}, one header.
 */
public final class HeaderRuleSet {
  public static final HeaderRuleSet EMPTY = new HeaderRuleSet(List.of(), List.of(), List.of());

  private record Rule(AsciiString name, Template value, boolean always) {}

  private final List<AsciiString> remove;
  private final List<Rule> set;
  private final List<Rule> add;

  private HeaderRuleSet(List<AsciiString> remove, List<Rule> set, List<Rule> add) {
    this.remove = remove;
    this.set = set;
    this.add = add;
  }

  public static HeaderRuleSet compile(HeaderRules rules) {
    if (rules.getSetCount() + rules.getAddCount() + rules.getRemoveCount() == 0) {
      return EMPTY;
    }
    return new HeaderRuleSet(
        rules.getRemoveList().stream().map(HeaderRuleSet::name).toList(),
        rules.getSetList().stream().map(HeaderRuleSet::rule).toList(),
        rules.getAddList().stream().map(HeaderRuleSet::rule).toList());
  }

  public boolean isEmpty() {
    return this == EMPTY;
  }

  /** Applies the rules to request {@code headers}, rendering values against one request. */
  public void apply(
      HttpHeaders headers, TemplateRenderer.VariableSource variables, MatchResult groups) {
    applyToResponse(headers, 200, variables, groups);
  }

  /**
   * Applies the rules to the headers of a response with {@code status}: a rule that is not {@code
   * always} (nginx's {@code add_header} without {@code always}) only to a 2xx or 3xx status that
   * nginx lists.
   */
  public void applyToResponse(
      HttpHeaders headers,
      int status,
      TemplateRenderer.VariableSource variables,
      MatchResult groups) {
    boolean listed = successfulOrRedirect(status);
    // Indexed loops: this runs for every request and response, and an iterator per list is
    // garbage when the JIT does not remove it.
    for (int i = 0; i < remove.size(); i++) {
      headers.remove(remove.get(i));
    }
    for (int i = 0; i < set.size(); i++) {
      Rule r = set.get(i);
      if (!r.always() && !listed) {
        continue;
      }
      String value = render(r, variables, groups);
      if (value.isEmpty()) {
        headers.remove(r.name());
      } else {
        headers.set(r.name(), value);
      }
    }
    for (int i = 0; i < add.size(); i++) {
      Rule r = add.get(i);
      if (!r.always() && !listed) {
        continue;
      }
      String value = render(r, variables, groups);
      if (!value.isEmpty()) {
        headers.add(r.name(), value);
      }
    }
  }

  /** The statuses nginx's {@code add_header} without {@code always} applies to. */
  private static boolean successfulOrRedirect(int status) {
    return switch (status) {
      case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308 -> true;
      default -> false;
    };
  }

  private static String render(
      Rule r, TemplateRenderer.VariableSource variables, MatchResult groups) {
    return HeaderValues.encodeUnsafe(TemplateRenderer.render(r.value(), variables, groups));
  }

  private static Rule rule(Header h) {
    return new Rule(
        name(h.getName()), Template.parse(h.getValue()), !h.hasAlways() || h.getAlways());
  }

  private static AsciiString name(String name) {
    return AsciiString.cached(name);
  }
}
