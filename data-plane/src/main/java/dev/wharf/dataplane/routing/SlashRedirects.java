package dev.wharf.dataplane.routing;

import dev.wharf.config.PathMatches;
import dev.wharf.config.Template;
import dev.wharf.dataplane.http.UriPaths;
import dev.wharf.dataplane.ratelimit.RouteLimits;
import dev.wharf.proto.config.v1.RedirectAction;
import dev.wharf.proto.config.v1.Route;
import java.util.List;

/**
 * nginx's automatic {@code 301} for a proxied location ending in {@code /}: {@code /static} is sent
 * to {@code /static/}, its query string kept. Made, once per snapshot, as a redirect route that
 * stands for the proxy route: same name, response headers and compression, so the access log and
 * {@code add_header} see it as nginx's location does.
 *
 * <p>The Location is relative ({@code /static/?a=1}), as Wharf's other redirects of a path are;
 * nginx writes it absolute with the request's host and the listener's port.
 */
final class SlashRedirects {
  private SlashRedirects() {}

  static CompiledRoute of(CompiledRoute proxied) {
    String slashed = UriPaths.encode(PathMatches.value(proxied.config().getMatch().getPath()));
    Template location =
        new Template(
            slashed + "$is_args$args",
            List.of(
                new Template.Literal(slashed),
                new Template.Variable("is_args"),
                new Template.Variable("args")));
    Route config =
        proxied.config().toBuilder()
            .setRedirect(RedirectAction.newBuilder().setStatus(301).setLocation(location.source()))
            .build();
    return new CompiledRoute(
        proxied.index(),
        config,
        null,
        location,
        proxied.maxBodySize(),
        null,
        null,
        proxied.compression(),
        proxied.responseHeaders(),
        RouteLimits.NONE, // nginx redirects before its limit and access phases
        null);
  }
}
