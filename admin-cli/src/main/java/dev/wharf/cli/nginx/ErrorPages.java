package dev.wharf.cli.nginx;

import dev.wharf.config.ErrorPageRules;
import dev.wharf.proto.config.v1.ErrorPage;
import dev.wharf.proto.config.v1.Route;
import java.util.List;
import java.util.Optional;

/**
 * nginx's {@code error_page CODE ... [=[CODE]] URI|URL} and {@code proxy_intercept_errors} as the
 * route's {@code error_pages} and {@code intercept_errors}. {@code error_page} is inherited as a
 * whole from the nearest level that has any (a location with its own does not inherit the
 * server's), as nginx does.
 */
final class ErrorPages {
  private ErrorPages() {}

  /** The error pages in force at {@code scope}, and for a proxy route whether it intercepts. */
  static void apply(Scope scope, Ledger ledger, Route.Builder route, boolean proxied) {
    for (Directive d : scope.nearestAll("error_page")) {
      Either<ErrorPage> page = translate(d);
      if (page.ok()) {
        route.addErrorPages(page.value());
        ledger.translated(d);
      } else {
        ledger.notTranslated(d, page.problem());
      }
    }
    if (proxied) {
      scope
          .nearest("proxy_intercept_errors")
          .ifPresent(
              d -> {
                if (d.args().size() == 1 && (d.arg(0).equals("on") || d.arg(0).equals("off"))) {
                  route.setInterceptErrors(d.arg(0).equals("on"));
                  ledger.translated(d);
                } else {
                  ledger.notTranslated(d, "'" + d.text() + "' is not on or off");
                }
              });
    }
  }

  /** One {@code error_page} directive, or why it cannot be one. */
  static Either<ErrorPage> translate(Directive d) {
    List<String> args = d.args();
    if (args.size() < 2) {
      return Either.problem("'" + d.text() + "' is not CODE ... [=[CODE]] URI");
    }
    ErrorPage.Builder page = ErrorPage.newBuilder();
    String target = args.get(args.size() - 1);
    int codes = args.size() - 1;
    String answer = args.get(codes - 1);
    if (answer.startsWith("=")) {
      codes--;
    }
    for (int i = 0; i < codes; i++) {
      Optional<Integer> code = number(args.get(i));
      if (code.isEmpty() || code.get() < 300 || code.get() > 599 || code.get() == 499) {
        return Either.problem("'" + args.get(i) + "' is not a status from 300 to 599 (not 499)");
      }
      page.addCodes(code.get());
    }
    if (codes == 0) {
      return Either.problem("'" + d.text() + "' names no status");
    }
    String problem = ErrorPageRules.targetProblem(target);
    if (problem != null) {
      return Either.problem(problem);
    }
    page.setTarget(target);
    boolean url = !target.startsWith("/");
    if (answer.equals("=")) {
      if (url) {
        page.setStatus(302); // nginx answers a URL with 302 unless it is told a redirect status
      } else {
        page.setPageStatus(true);
      }
    } else if (answer.startsWith("=")) {
      Optional<Integer> status = number(answer.substring(1));
      if (status.isEmpty() || status.get() < 200 || status.get() > 599) {
        return Either.problem("'" + answer + "' is not =CODE");
      }
      int s = status.get();
      page.setStatus(url && !ErrorPageRules.REDIRECT_STATUSES.contains(s) ? 302 : s);
    }
    return Either.of(page.build());
  }

  private static Optional<Integer> number(String text) {
    // ASCII digits only: Character.isDigit takes other scripts' digits, which nginx refuses
    if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    return Optional.of(Integer.parseInt(text));
  }
}
