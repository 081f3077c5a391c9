package dev.wharf.cli.nginx;

import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.RedirectAction;
import dev.wharf.proto.config.v1.RespondAction;
import dev.wharf.proto.config.v1.Route;
import java.util.Optional;
import java.util.Set;

/**
 * {@code return CODE [TEXT]}, {@code return CODE URL} and {@code return URL} as a respond or
 * redirect action. A response with text gets the {@code default_type} in force as its content type,
 * as nginx sends it.
 */
final class Returns {
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  private Returns() {}

  /**
   * Sets {@code route}'s action from {@code ret}; or says why it cannot.
   *
   * @param groups the groups of the route's regex, -1 without one
   */
  static Optional<String> apply(
      Directive ret, int groups, Scope scope, Ledger ledger, Route.Builder route) {
    String first = ret.arg(0);
    if (ret.args().size() == 1 && isUrl(first)) {
      return redirect(302, first, groups, route);
    }
    Optional<Integer> code = Values.number(first, 0, 999);
    if (code.isEmpty() || ret.args().size() > 2) {
      return Optional.of("'" + ret.text() + "' is not a return Wharf knows");
    }
    int status = code.get();
    if (status == 444) {
      return Optional.of(
          "444 closes the connection without a response; Wharf always " + "responds");
    }
    if (REDIRECTS.contains(status)) {
      return ret.arg(1).isEmpty()
          ? Optional.of("a redirect needs a URL")
          : redirect(status, ret.arg(1), groups, route);
    }
    if (status < 200 || status > 599) {
      return Optional.of("Wharf responds with statuses 200-599, not " + status);
    }
    String body = status == 204 || status == 304 ? "" : ret.arg(1);
    Optional<String> problem = Templates.problem(body, Phase.REQUEST, groups);
    if (problem.isPresent()) {
      return problem;
    }
    RespondAction.Builder respond = RespondAction.newBuilder().setStatus(status).setBody(body);
    if (!body.isEmpty()) {
      scope
          .nearest("default_type")
          .ifPresent(
              type -> {
                respond.setContentType(type.arg(0));
                ledger.translated(type);
              });
    }
    route.setRespond(respond);
    return Optional.empty();
  }

  static boolean isUrl(String text) {
    return text.startsWith("http://") || text.startsWith("https://") || text.startsWith("$scheme");
  }

  private static Optional<String> redirect(
      int status, String location, int groups, Route.Builder route) {
    Optional<String> problem = Templates.problem(location, Phase.REQUEST, groups);
    if (problem.isPresent()) {
      return problem;
    }
    route.setRedirect(RedirectAction.newBuilder().setStatus(status).setLocation(location));
    return Optional.empty();
  }
}
