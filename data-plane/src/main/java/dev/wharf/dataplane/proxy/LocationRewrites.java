package dev.wharf.dataplane.proxy;

import com.google.re2j.Pattern;
import dev.wharf.config.LinearRegex;
import dev.wharf.config.Template;
import dev.wharf.dataplane.http.HeaderValues;
import dev.wharf.dataplane.http.TemplateRenderer;
import dev.wharf.proto.config.v1.LocationRewrite;
import dev.wharf.proto.config.v1.ProxyAction;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;
import java.util.regex.MatchResult;

/**
 * nginx's {@code proxy_redirect}, compiled: rewrites the {@code Location} header of an endpoint's
 * response, and the URL after {@code url=} in its {@code Refresh} header. Rules are tried in order
 * and the first that matches the start of the URL applies: a prefix rule replaces that prefix and
 * keeps the rest, a regex rule's replacement becomes the whole URL (as in nginx). A value no rule
 * matches, or one whose rewrite would carry a control character, is left as the endpoint sent it.
 *
 * <p>Immutable; used on event loops, allocation only when a rule applies.
 */
final class LocationRewrites {
  static final LocationRewrites NONE = new LocationRewrites(List.of());

  private record Rule(String prefix, Pattern regex, Template replacement) {}

  private final List<Rule> rules;

  private LocationRewrites(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  static LocationRewrites of(ProxyAction proxy) {
    if (proxy.getLocationRewritesCount() == 0) {
      return NONE;
    }
    return new LocationRewrites(
        proxy.getLocationRewritesList().stream().map(LocationRewrites::compile).toList());
  }

  private static Rule compile(LocationRewrite r) {
    return new Rule(
        r.getRegex().isEmpty() ? r.getPrefix() : null,
        r.getRegex().isEmpty() ? null : LinearRegex.compile(r.getRegex(), r.getCaseInsensitive()),
        Template.parse(r.getReplacement()));
  }

  boolean isEmpty() {
    return rules.isEmpty();
  }

  /** Rewrites {@code Location} and {@code Refresh} of a response head in place. */
  void apply(HttpHeaders headers, TemplateRenderer.VariableSource variables) {
    if (rules.isEmpty()) {
      return;
    }
    String location = headers.get(HttpHeaderNames.LOCATION);
    if (location != null) {
      String rewritten = rewrite(location, variables);
      if (rewritten != null) {
        headers.set(HttpHeaderNames.LOCATION, rewritten);
      }
    }
    String refresh = headers.get("refresh");
    if (refresh != null) {
      int url = refresh.toLowerCase(Locale.ROOT).indexOf("url=");
      if (url >= 0) {
        String rewritten = rewrite(refresh.substring(url + 4), variables);
        if (rewritten != null) {
          headers.set("refresh", refresh.substring(0, url + 4) + rewritten);
        }
      }
    }
  }

  /** The rewritten URL, or null when no rule applies (or the result is not a safe value). */
  String rewrite(String url, TemplateRenderer.VariableSource variables) {
    for (Rule rule : rules) {
      String result = null;
      if (rule.prefix() != null) {
        if (url.startsWith(rule.prefix())) {
          result =
              TemplateRenderer.render(rule.replacement(), variables, null)
                  + url.substring(rule.prefix().length());
        }
      } else {
        MatchResult m = LinearRegex.find(rule.regex(), url);
        if (m != null && m.start() == 0) {
          // nginx replaces the whole URL with a regex rule's replacement (seen side by side).
          result = TemplateRenderer.render(rule.replacement(), variables, m);
        }
      }
      if (result != null) {
        return HeaderValues.isSafe(result) ? result : null;
      }
    }
    return null;
  }
}
