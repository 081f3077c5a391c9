package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Format;
import dev.wharf.cli.output.Kinds;
import dev.wharf.cli.output.ObjectDocuments;
import dev.wharf.cli.output.ObjectTables;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.GetObjectRequest;
import dev.wharf.proto.admin.v1.ListObjectsRequest;
import dev.wharf.proto.admin.v1.ListObjectsResponse;
import dev.wharf.proto.admin.v1.ObjectKind;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Shows config objects: a table, or YAML/JSON in the form config documents are written in. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Show the listeners, upstreams or routes, or one of them by name; or the whole config "
          + "(get config), as a document apply takes back.",
      "-o yaml|json prints a document holding the objects, with the version they were read at "
          + "(metadata: {version: N}, which apply checks), or a single object by itself.",
      "--watch follows changes until interrupted: get config|KIND|nodes --watch prints a line per "
          + "change (with -o yaml|json a document per version)."
    },
    footer = {
      "",
      "Examples:",
      "  wharfctl get routes",
      "  wharfctl get upstream app -o yaml",
      "  wharfctl get config -o yaml > wharf.yaml",
      "  wharfctl get routes --watch",
      "  wharfctl get nodes --watch",
      "",
      "Exit codes: 0 shown, 1 no such object, 3 unreachable or not allowed."
    })
public final class GetCommand extends AdminCommand {
  @Parameters(
      index = "0",
      paramLabel = "KIND",
      completionCandidates = KindsAndConfig.class,
      description =
          "listener, upstream, route (or their plurals), or config; with --watch also nodes.")
  private String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "Just this one.")
  private String name;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      converter = Format.Converter.class,
      completionCandidates = Format.Candidates.class,
      description = "table (default), yaml or json; get config: yaml (default) or json.")
  private Format format;

  @Option(
      names = {"-w", "--watch"},
      description = "Keep printing changes as they happen, until interrupted.")
  private boolean watch;

  @Override
  int run(AdminClient client) {
    if (watch) {
      return watch(client);
    }
    if (kind.equalsIgnoreCase("config")) {
      return config(client);
    }
    ObjectKind objectKind = Kinds.parse(kind);
    Format f = format == null ? Format.TABLE : format;
    List<ConfigObject> objects;
    if (name != null) {
      GetObjectRequest request =
          GetObjectRequest.newBuilder().setKind(objectKind).setName(name).build();
      ConfigObject object = client.call(s -> s.getObject(request)).getObject();
      if (f != Format.TABLE) {
        out().print(ObjectDocuments.of(object, f));
        return ExitCode.OK;
      }
      objects = List.of(object);
    } else {
      ListObjectsRequest request = ListObjectsRequest.newBuilder().setKind(objectKind).build();
      ListObjectsResponse listed = client.call(s -> s.listObjects(request));
      if (f != Format.TABLE) {
        out().print(ObjectDocuments.of(listed.getObjectsList(), f, listed.getVersion()));
        return ExitCode.OK;
      }
      objects = listed.getObjectsList();
    }
    if (objects.isEmpty()) {
      out().println("no " + Kinds.name(objectKind) + "s");
    } else {
      ObjectTables.of(objectKind, objects).print(out());
    }
    return ExitCode.OK;
  }

  private int config(AdminClient client) {
    if (name != null) {
      throw Failure.invalidInput("get config takes no NAME (it shows the whole config)");
    }
    if (format == Format.TABLE) {
      throw Failure.invalidInput("get config prints yaml or json, not a table");
    }
    var read = client.call(s -> s.getConfig(GetConfigRequest.getDefaultInstance()));
    out()
        .print(
            ObjectDocuments.config(
                read.getConfig(), format == null ? Format.YAML : format, read.getVersion()));
    return ExitCode.OK;
  }

  private int watch(AdminClient client) {
    if (name != null) {
      throw Failure.invalidInput("--watch follows every object of a kind; it takes no NAME");
    }
    if (kind.equalsIgnoreCase("config")) {
      if (format == Format.TABLE) {
        throw Failure.invalidInput("get config prints yaml or json, not a table");
      }
      return GetWatch.config(client, out(), format);
    }
    if (kind.equalsIgnoreCase("nodes") || kind.equalsIgnoreCase("node")) {
      if (format != null && format != Format.TABLE) {
        throw Failure.invalidInput("get nodes --watch prints lines; -o is not supported");
      }
      return GetWatch.nodes(client, out());
    }
    return GetWatch.objects(client, out(), format, Kinds.parse(kind));
  }

  /** For shell completion. */
  static final class KindsAndConfig implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("listener", "upstream", "route", "config", "nodes").iterator();
    }
  }
}
