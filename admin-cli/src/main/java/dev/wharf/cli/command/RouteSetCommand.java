package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Changes;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.GetObjectRequest;
import dev.wharf.proto.admin.v1.GetObjectResponse;
import dev.wharf.proto.admin.v1.ListObjectsRequest;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.admin.v1.PutObjectRequest;
import dev.wharf.proto.admin.v1.WriteResponse;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.PathRewrite;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.Route;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Creates a proxy route, or changes only the given parts of an existing one: everything not named
 * on the command line (header rules, timeouts, WebSocket settings, its place among the routes) is
 * kept as it is.
 */
@Command(
    name = "set",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Create a proxy route, or change only what is given of an existing route; the rest "
          + "(header rules, timeouts, WebSocket settings, its place) is kept.",
      "A new route needs a path and --upstream. --host and --listener replace the lists; "
          + "give '' to clear one (every host, every listener)."
    },
    footer = {
      "",
      "Examples:",
      "  wharfctl route set api --prefix /api/ --upstream app --host example.com",
      "  wharfctl route set api --rewrite '^/api/(.*)' '/$1'",
      "  wharfctl route set legacy --regex '^/v1/' --upstream old --before api",
      "",
      "Output:",
      "  ~ route api: proxy.upstream: app -> app-v2",
      "  applied: version 12",
      "",
      "Exit codes: 0 done, 1 incomplete new route or refused as invalid, 2 the config "
          + "changed since it was read, 3 unreachable or not allowed."
    })
final class RouteSetCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "NAME")
  private String name;

  @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Path (one of):%n")
  private PathOptions path;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Host pattern, as nginx server_name (repeat for several).")
  private List<String> hosts;

  @Option(
      names = "--upstream",
      paramLabel = "UPSTREAM",
      description =
          "Proxy to this upstream (turns a respond, redirect or static route into a "
              + "proxy route).")
  private String upstream;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  private RewriteOptions rewrite;

  @Option(
      names = "--listener",
      paramLabel = "LISTENER",
      description = "Serve on this listener (repeat for several; default: every listener).")
  private List<String> listeners;

  @Option(
      names = "--before",
      paramLabel = "ROUTE",
      description =
          "Place the route before this one (regex routes are tried in order): a new "
              + "route, default last, or an existing one, which otherwise keeps its place.")
  private String before;

  static final class PathOptions {
    @Option(names = "--exact", paramLabel = "PATH", description = "nginx location = PATH")
    String exact;

    @Option(names = "--prefix", paramLabel = "PATH", description = "nginx location PATH")
    String prefix;

    @Option(
        names = "--prefix-no-regex",
        paramLabel = "PATH",
        description = "nginx location ^~ PATH")
    String prefixNoRegex;

    @Option(names = "--regex", paramLabel = "REGEX", description = "nginx location ~ REGEX")
    String regex;

    @Option(
        names = "--regex-case-insensitive",
        paramLabel = "REGEX",
        description = "nginx location ~* REGEX")
    String regexCaseInsensitive;

    PathMatch toPathMatch() {
      PathMatch.Builder m = PathMatch.newBuilder();
      if (exact != null) {
        m.setExact(exact);
      } else if (prefix != null) {
        m.setPrefix(prefix);
      } else if (prefixNoRegex != null) {
        m.setPrefixNoRegex(prefixNoRegex);
      } else if (regex != null) {
        m.setRegex(regex);
      } else {
        m.setRegexCaseInsensitive(regexCaseInsensitive);
      }
      return m.build();
    }
  }

  static final class RewriteOptions {
    @Option(
        names = "--rewrite",
        arity = "2",
        paramLabel = "REGEX REPLACEMENT",
        hideParamSyntax = true,
        description = "Rewrite the path sent upstream (nginx rewrite REGEX REPLACEMENT break).")
    List<String> rewrite;

    @Option(names = "--no-rewrite", description = "Remove the route's rewrite.")
    boolean none;
  }

  @Override
  int run(AdminClient client) {
    GetObjectRequest read =
        GetObjectRequest.newBuilder().setKind(ObjectKind.OBJECT_KIND_ROUTE).setName(name).build();
    Optional<GetObjectResponse> found = client.find(s -> s.getObject(read));
    boolean exists = found.isPresent();
    ListObjectsRequest routes =
        ListObjectsRequest.newBuilder().setKind(ObjectKind.OBJECT_KIND_ROUTE).build();
    long version =
        exists
            ? found.get().getVersion()
            : client
                .call(s -> s.listObjects(routes))
                .getVersion(); // the version a create is based on
    Route route = exists ? change(found.get().getObject().getRoute().toBuilder()) : create();

    PutObjectRequest.Builder put =
        PutObjectRequest.newBuilder()
            .setExpectedVersion(version)
            .setObject(ConfigObject.newBuilder().setRoute(route))
            .setCreateOnly(!exists); // a route created meanwhile by someone else is not replaced
    if (before != null) {
      put.setBeforeRoute(before);
    }
    WriteResponse response = client.write(version, s -> s.putObject(put.build()));
    Changes.print(response.getChangesList(), out());
    out().println(Changes.outcome(response.getVersion(), response.getChangesCount() > 0, false));
    return ExitCode.OK;
  }

  private Route create() {
    if (path == null || upstream == null) {
      throw Failure.invalidInput(
          "there is no route '"
              + name
              + "'; to create it, give a path "
              + "(--prefix, --exact, --prefix-no-regex, --regex or --regex-case-insensitive) and "
              + "--upstream");
    }
    return change(Route.newBuilder().setName(name));
  }

  private Route change(Route.Builder r) {
    if (path != null) {
      r.getMatchBuilder().setPath(path.toPathMatch());
    }
    if (hosts != null) {
      r.getMatchBuilder().clearHosts().addAllHosts(nonEmpty(hosts));
    }
    if (listeners != null) {
      r.clearListeners().addAllListeners(nonEmpty(listeners));
    }
    if (upstream != null) {
      if (!r.hasProxy()) {
        r.setProxy(ProxyAction.getDefaultInstance()); // replaces any other action (a oneof)
      }
      r.getProxyBuilder().setUpstream(upstream);
    }
    if (rewrite != null) {
      if (!r.hasProxy()) {
        throw Failure.invalidInput(
            "route '"
                + name
                + "' is a "
                + r.getActionCase().toString().toLowerCase(java.util.Locale.ROOT)
                + " route; a rewrite needs a proxy route (give --upstream too)");
      }
      if (rewrite.rewrite != null && rewrite.rewrite.size() != 2) {
        throw Failure.invalidInput("--rewrite takes one REGEX and one REPLACEMENT, once");
      }
      if (rewrite.none) {
        r.getProxyBuilder().clearRewrite();
      } else {
        r.getProxyBuilder()
            .setRewrite(
                PathRewrite.newBuilder()
                    .setRegex(rewrite.rewrite.get(0))
                    .setReplacement(rewrite.rewrite.get(1)));
      }
    }
    return r.build();
  }

  /** {@code --host ''} alone clears the list. */
  private static List<String> nonEmpty(List<String> values) {
    return values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
  }
}
