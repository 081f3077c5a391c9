package dev.wharf.config;

import dev.wharf.proto.config.v1.ErrorPage;
import dev.wharf.proto.config.v1.Route;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * nginx's {@code error_page CODE ... [=[CODE]] URI|URL} on a route: which statuses get a page, and
 * where the page is. The one home of these rules: the validator, {@code import-nginx} and the data
 * plane call {@link #isRedirect} and {@link #answerStatus} rather than deciding again.
 */
public final class ErrorPageRules {
  /** The statuses an error page for a URL may answer with (nginx turns any other into 302). */
  public static final Set<Integer> REDIRECT_STATUSES = Set.of(301, 302, 303, 307, 308);

  private static final String EXPECTED = "a path starting with / or an absolute http(s) URL";

  private ErrorPageRules() {}

  static void check(List<Route> routes, Problems problems) {
    check(routes, new BitSet(), problems);
  }

  /** As {@link #check(List, Problems)}, skipping the routes in {@code unchanged}. */
  static void check(List<Route> routes, BitSet unchanged, Problems problems) {
    for (int r = unchanged.nextClearBit(0); r < routes.size(); r = unchanged.nextClearBit(r + 1)) {
      List<ErrorPage> pages = routes.get(r).getErrorPagesList();
      for (int i = 0; i < pages.size(); i++) {
        check(pages.get(i), "routes[" + r + "].error_pages[" + i + "]", problems);
      }
    }
  }

  private static void check(ErrorPage page, String path, Problems problems) {
    if (page.getCodesCount() == 0) {
      problems.add(path + ".codes", "required: at least one status (300 to 599)");
    }
    for (int i = 0; i < page.getCodesCount(); i++) {
      int code = page.getCodes(i);
      if (code < 300 || code > 599 || code == 499) {
        problems.add(
            path + ".codes[" + i + "]",
            Integer.toUnsignedString(code) + " (expected: 300 to 599, not 499, as nginx)");
      }
    }
    String target = page.getTarget();
    String problem = targetProblem(target);
    if (problem != null) {
      problems.add(path + ".target", problem);
      return;
    }
    boolean redirect = isRedirect(page);
    int status = page.getStatus();
    if (page.getPageStatus() && (status != 0 || redirect)) {
      problems.add(
          path + ".page_status",
          redirect
              ? "not for a URL: a redirect answers with its own status"
              : "not together with status (nginx `=` takes the page's own status)");
    }
    if (redirect && status != 0 && !REDIRECT_STATUSES.contains(status)) {
      problems.add(
          path + ".status",
          Integer.toUnsignedString(status) + " (expected for a URL: 301, 302, 303, 307 or 308)");
    } else if (!redirect && status != 0 && (status < 200 || status > 599 || status == 499)) {
      problems.add(
          path + ".status", Integer.toUnsignedString(status) + " (expected: 200 to 599, not 499)");
    }
  }

  /** Why {@code target} cannot be an error page, or null when it can. */
  public static String targetProblem(String target) {
    if (target.isEmpty()) {
      return "required: " + EXPECTED;
    }
    if (target.startsWith("@")) {
      return "'"
          + target
          + "': named locations are not supported; point the page at a path a route serves";
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        return "character " + (int) c + " at index " + i + " (expected: no spaces or controls)";
      }
    }
    if (target.indexOf('$') >= 0) {
      return "'" + target + "': variables are not supported in an error page";
    }
    if (target.startsWith("/")) {
      return target.startsWith("//") ? "'" + target + "': expected a path, not a host" : null;
    }
    String lower = target.toLowerCase(Locale.ROOT);
    if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
      return "'" + target + "' (expected: " + EXPECTED + ")";
    }
    try {
      URI uri = new URI(target);
      if (uri.getHost() == null) {
        return "'" + target + "': the URL has no host";
      }
    } catch (URISyntaxException e) {
      return "'" + target + "': not a URL (" + e.getReason() + ")";
    }
    return null;
  }

  /** Whether the page is a redirect to a URL rather than a path served internally. */
  public static boolean isRedirect(ErrorPage page) {
    return !page.getTarget().startsWith("/");
  }

  /**
   * The status to answer with: for a URL the redirect's status (302 unless given); for a path the
   * given status, or {@code original}, or 0 when the page's own status is kept ({@code =}).
   */
  public static int answerStatus(ErrorPage page, int original) {
    if (isRedirect(page)) {
      return page.getStatus() == 0 ? 302 : page.getStatus();
    }
    if (page.getPageStatus()) {
      return 0;
    }
    return page.getStatus() == 0 ? original : page.getStatus();
  }

  /** The first page of {@code route} naming {@code status}, or null. */
  public static ErrorPage find(Route route, int status) {
    for (ErrorPage page : route.getErrorPagesList()) {
      if (page.getCodesList().contains(status)) {
        return page;
      }
    }
    return null;
  }
}
