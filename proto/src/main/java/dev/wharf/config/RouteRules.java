package dev.wharf.config;

import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.Header;
import dev.wharf.proto.config.v1.HeaderRules;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.RedirectAction;
import dev.wharf.proto.config.v1.RespondAction;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.StaticAction;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Rules for each {@code routes[i]} on its own; {@link RouteConflicts} compares routes. */
final class RouteRules {
  /** RFC 9110 7.6.1 hop-by-hop headers, and the framing headers Wharf computes itself. */
  private static final Set<String> MANAGED_HEADERS =
      Set.of(
          "connection",
          "proxy-connection",
          "keep-alive",
          "te",
          "transfer-encoding",
          "upgrade",
          "content-length");

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern CONTENT_TYPE =
      Pattern.compile("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\\s*;.*)?");
  private static final Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);

  private final Set<String> listeners;
  private final Set<String> upstreams;
  private final Problems problems;
  private final boolean references;

  RouteRules(Set<String> listeners, Set<String> upstreams, Problems problems) {
    this(listeners, upstreams, problems, true);
  }

  /**
   * With {@code references} false, the names a route refers to (listeners, upstream) are not looked
   * up: for a part of a config, whose references the whole it is merged into must satisfy.
   */
  RouteRules(Set<String> listeners, Set<String> upstreams, Problems problems, boolean references) {
    this.listeners = listeners;
    this.upstreams = upstreams;
    this.problems = problems;
    this.references = references;
  }

  void check(List<Route> routes) {
    check(routes, new BitSet());
  }

  /** Checks every route but those in {@code skip}, found unchanged ({@link UnchangedRoutes}). */
  void check(List<Route> routes, BitSet skip) {
    for (int i = 0; i < routes.size(); i++) {
      if (!skip.get(i)) {
        check("routes[" + i + "]", routes.get(i));
      }
    }
  }

  private void check(String path, Route r) {
    problems.name(path + ".name", r.getName());
    Set<String> seen = new HashSet<>();
    for (int j = 0; j < r.getListenersCount(); j++) {
      String name = r.getListeners(j);
      if (references && !listeners.contains(name)) {
        problems.add(
            path + ".listeners[" + j + "]", "no listener named '" + name + "'" + known(listeners));
      } else if (!seen.add(name)) {
        problems.add(path + ".listeners[" + j + "]", "'" + name + "' is listed twice");
      }
    }
    for (int j = 0; j < r.getMatch().getHostsCount(); j++) {
      int index = j;
      HostPatterns.problem(r.getMatch().getHosts(j))
          .ifPresent(p -> problems.add(path + ".match.hosts[" + index + "]", p));
    }
    int groups = pathMatch(path + ".match.path", r.getMatch().getPath());
    switch (r.getActionCase()) {
      case PROXY -> proxy(path + ".proxy", r.getProxy());
      case STATIC -> staticFiles(path + ".static", r.getStatic(), r.getMatch().getPath(), groups);
      case REDIRECT -> redirect(path + ".redirect", r.getRedirect(), groups);
      case RESPOND -> respond(path + ".respond", r.getRespond(), groups);
      case ACTION_NOT_SET -> problems.add(path, "set one of proxy, static, redirect, respond");
    }
    ProxyRouteRules.check(path, r, groups, problems);
    if (r.hasRequestHeaders()) {
      if (!r.hasProxy()) {
        problems.add(path + ".request_headers", "only proxy routes send a request upstream");
      }
      headers(path + ".request_headers", r.getRequestHeaders(), Phase.UPSTREAM);
    }
    if (r.hasResponseHeaders()) {
      headers(path + ".response_headers", r.getResponseHeaders(), Phase.RESPONSE);
    }
    if (r.hasCompression()) {
      ListenerRules.compression(path + ".compression", r.getCompression(), problems);
    }
    AccessControlRules.check(path, r, problems);
  }

  /** Checks the path match; returns the regex's group count (-1 when it is not a regex). */
  private int pathMatch(String path, PathMatch m) {
    if (!PathMatches.isSet(m)) {
      problems.add(path, "required: one of " + String.join(", ", PathMatches.FIELDS));
      return -1;
    }
    String field = path + "." + PathMatches.field(m);
    if (PathMatches.isRegex(m)) {
      return groupCount(
          problems.regex(field, PathMatches.value(m), PathMatches.isCaseInsensitive(m)));
    }
    uriPath(field, PathMatches.value(m));
    return -1;
  }

  private void uriPath(String path, String value) {
    if (!value.startsWith("/")) {
      problems.add(path, "'" + value + "' must start with '/'");
    }
  }

  private void proxy(String path, ProxyAction p) {
    if (p.getUpstream().isEmpty()) {
      problems.add(path + ".upstream", "required");
    } else if (references && !upstreams.contains(p.getUpstream())) {
      problems.add(
          path + ".upstream", "no upstream named '" + p.getUpstream() + "'" + known(upstreams));
    }
    if (p.hasRewrite()) {
      com.google.re2j.Pattern regex =
          problems.regex(path + ".rewrite.regex", p.getRewrite().getRegex(), false);
      if (regex != null) {
        problems.template(
            path + ".rewrite.replacement",
            p.getRewrite().getReplacement(),
            Phase.REQUEST,
            groupCount(regex));
      }
    }
    problems.positive(path + ".connect_timeout", p.hasConnectTimeout(), p.getConnectTimeout());
    problems.positive(path + ".read_timeout", p.hasReadTimeout(), p.getReadTimeout());
    problems.positive(path + ".send_timeout", p.hasSendTimeout(), p.getSendTimeout());
    if (p.hasConnectRetries()) {
      problems.range(path + ".connect_retries", p.getConnectRetries(), 0, 10);
    }
    problems.positive(
        path + ".websocket.idle_timeout",
        p.getWebsocket().hasIdleTimeout(),
        p.getWebsocket().getIdleTimeout());
    if (p.getWebsocket().hasMaxMessageSize()) {
      problems.range(
          path + ".websocket.max_message_size",
          p.getWebsocket().getMaxMessageSize().getBytes(),
          1024,
          1L << 40);
    }
    if (p.hasDrain()) {
      UpstreamRules.drain(path + ".drain", p.getDrain(), problems);
    }
    UpstreamRules.nextUpstream(path, p, problems);
  }

  /**
   * @param groups the route regex's group count, -1 without a regex ($1 in try_files)
   */
  private void staticFiles(String path, StaticAction s, PathMatch match, int groups) {
    boolean root = !s.getRoot().isEmpty();
    boolean alias = !s.getAlias().isEmpty();
    if (root == alias) {
      problems.add(path, root ? "set root or alias, not both" : "required: root or alias");
    }
    if (s.getRoot().indexOf('\0') >= 0 || s.getAlias().indexOf('\0') >= 0) {
      problems.add(path + (root ? ".root" : ".alias"), "a path cannot hold a NUL character");
    }
    if (alias && PathMatches.isRegex(match)) {
      problems.add(path + ".alias", "needs an exact or prefix match (with a regex, use root)");
    }
    for (int i = 0; i < s.getIndexCount(); i++) {
      if (s.getIndex(i).isEmpty() || s.getIndex(i).contains("/")) {
        problems.add(path + ".index[" + i + "]", "'" + s.getIndex(i) + "' must be a file name");
      }
    }
    for (int i = 0; i < s.getTryFilesCount(); i++) {
      tryFile(
          path + ".try_files[" + i + "]", s.getTryFiles(i), i == s.getTryFilesCount() - 1, groups);
    }
    if (!s.getDefaultType().isEmpty() && !CONTENT_TYPE.matcher(s.getDefaultType()).matches()) {
      problems.add(path + ".default_type", "'" + s.getDefaultType() + "' is not a content type");
    }
    s.getMimeTypesMap()
        .forEach(
            (extension, type) -> {
              if (extension.isEmpty() || extension.contains(".") || extension.contains("/")) {
                problems.add(
                    path + ".mime_types." + extension, "write the extension without a dot");
              }
              if (!CONTENT_TYPE.matcher(type).matches()) {
                problems.add(
                    path + ".mime_types." + extension, "'" + type + "' is not a content type");
              }
            });
  }

  private void tryFile(String path, String entry, boolean last, int groups) {
    if (entry.startsWith("=")) {
      if (!last) {
        problems.add(path, "'" + entry + "' answers with a status, so it can only be last");
      } else if (!entry.matches("=\\d{3}")) {
        problems.add(path, "'" + entry + "' is not a status (expected e.g. =404)");
      } else {
        problems.range(path, Integer.parseInt(entry.substring(1)), 400, 599);
      }
    } else if (entry.isEmpty()) {
      problems.add(path, "empty entry");
    } else if (entry.startsWith("@")) {
      problems.add(
          path,
          "'"
              + entry
              + "' names an nginx named location; Wharf has none "
              + "(end with a URI such as /index.html, or a status such as =404)");
    } else {
      problems.template(path, entry, Phase.REQUEST, groups);
    }
  }

  private void redirect(String path, RedirectAction r, int groups) {
    if (r.getStatus() != 0 && !REDIRECT_STATUSES.contains(r.getStatus())) {
      problems.add(path + ".status", r.getStatus() + " (expected: 301, 302, 303, 307 or 308)");
    }
    if (r.getLocation().isEmpty()) {
      problems.add(path + ".location", "required (e.g. https://$host$request_uri)");
    } else {
      problems.template(path + ".location", r.getLocation(), Phase.REQUEST, groups);
    }
  }

  private void respond(String path, RespondAction r, int groups) {
    problems.rangeOrUnset(path + ".status", r.getStatus(), 200, 599);
    if ((r.getStatus() == 204 || r.getStatus() == 304) && !r.getBody().isEmpty()) {
      problems.add(path + ".body", "a " + r.getStatus() + " response has no body");
    }
    problems.template(path + ".body", r.getBody(), Phase.REQUEST, groups);
    if (!r.getContentType().isEmpty() && !CONTENT_TYPE.matcher(r.getContentType()).matches()) {
      problems.add(path + ".content_type", "'" + r.getContentType() + "' is not a content type");
    }
  }

  private void headers(String path, HeaderRules rules, Phase latest) {
    for (int i = 0; i < rules.getSetCount(); i++) {
      header(path + ".set[" + i + "]", rules.getSet(i), latest);
    }
    for (int i = 0; i < rules.getAddCount(); i++) {
      header(path + ".add[" + i + "]", rules.getAdd(i), latest);
    }
    for (int i = 0; i < rules.getRemoveCount(); i++) {
      headerName(path + ".remove[" + i + "]", rules.getRemove(i));
    }
  }

  private void header(String path, Header header, Phase latest) {
    headerName(path + ".name", header.getName());
    problems.template(path + ".value", header.getValue(), latest, -1);
    if (header.hasAlways() && latest != Phase.RESPONSE) {
      problems.add(path + ".always", "only response header rules depend on the status");
    }
  }

  private void headerName(String path, String name) {
    if (name.isEmpty()) {
      problems.add(path, "required");
    } else if (!TOKEN.matcher(name).matches()) {
      problems.add(path, "'" + name + "' is not a valid header name");
    } else if (MANAGED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      problems.add(
          path,
          name
              + " is a hop-by-hop or framing header that Wharf sets itself "
              + "(WebSocket upgrades are forwarded without header rules); remove this rule");
    }
  }

  private static int groupCount(com.google.re2j.Pattern regex) {
    return regex == null ? -1 : regex.groupCount();
  }

  private static String known(Set<String> names) {
    return names.isEmpty()
        ? " (none are defined)"
        : " (known: " + String.join(", ", new java.util.TreeSet<>(names)) + ")";
  }
}
