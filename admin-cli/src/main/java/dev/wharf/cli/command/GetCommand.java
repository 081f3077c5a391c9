package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Format;
import dev.wharf.cli.output.JsonPath;
import dev.wharf.cli.output.Kinds;
import dev.wharf.cli.output.ObjectDocuments;
import dev.wharf.cli.output.ObjectOutput;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import dev.wharf.proto.admin.v1.GetObjectRequest;
import dev.wharf.proto.admin.v1.ListObjectsRequest;
import dev.wharf.proto.admin.v1.ListObjectsResponse;
import dev.wharf.proto.admin.v1.ObjectKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** Shows config objects: a table, or YAML/JSON in the form config documents are written in. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Show the listeners, upstreams or routes, or some of them by name; or the whole config "
          + "(get config), as a document apply takes back.",
      "-o yaml|json prints a document holding the objects, with the version they were read at "
          + "(metadata: {version: N}, which apply checks), or a single object by itself; -o name "
          + "prints kind/name lines, -o wide more columns, -o jsonpath=TEMPLATE what the template "
          + "picks (docs/wharfctl.md lists the JSONPath supported).",
      "--watch follows changes until interrupted: get config|KIND|nodes --watch prints a line per "
          + "change (with -o yaml|json a document per version)."
    },
    footer = {
      "",
      "Examples:",
      "  wharfctl get routes",
      "  wharfctl get upstream app -o yaml",
      "  wharfctl get routes api ws -o name",
      "  wharfctl get routes -o jsonpath='{range .items[*]}{.name}{\"\\n\"}{end}'",
      "  wharfctl get config -o yaml > wharf.yaml",
      "  wharfctl get routes --watch",
      "  wharfctl get nodes --watch",
      "",
      "Exit codes: 0 shown, 1 a NAME not found (the others are shown) or a bad -o, 3 "
          + "unreachable or not allowed."
    })
public final class GetCommand extends AdminCommand {
  @Parameters(
      index = "0",
      paramLabel = "KIND",
      completionCandidates = KindsAndConfig.class,
      description =
          "listener, upstream, route (or their plurals), or config; with --watch also nodes.")
  private String kind;

  @Parameters(
      index = "1..*",
      arity = "0..*",
      paramLabel = "NAME",
      description = "Just these (each one missing is an error; the others are shown).")
  private List<String> names = List.of();

  private Format format;

  /** The template of -o jsonpath=TEMPLATE, read when the command runs (a one-line error). */
  private String template;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      completionCandidates = Format.Candidates.class,
      description =
          "table (default), wide, name, yaml, json or jsonpath=TEMPLATE; get config: yaml "
              + "(default) or json.")
  void output(String value) {
    if (value.startsWith("jsonpath=")) {
      format = Format.JSONPATH;
      template = value.substring("jsonpath=".length());
      return;
    }
    try {
      format = new Format.Converter().convert(value);
    } catch (TypeConversionException e) {
      throw new ParameterException(
          spec.commandLine(), "Invalid value for option '--output': " + e.getMessage());
    }
  }

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
    JsonPath path = f == Format.JSONPATH ? JsonPath.parse(template) : null;
    if (names.isEmpty()) {
      ListObjectsRequest request = ListObjectsRequest.newBuilder().setKind(objectKind).build();
      ListObjectsResponse listed = client.call(s -> s.listObjects(request));
      ObjectOutput.print(
          out(), objectKind, listed.getObjectsList(), false, f, path, listed.getVersion());
      return ExitCode.OK;
    }
    List<ConfigObject> found = new ArrayList<>();
    List<Long> versions = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      GetObjectRequest request =
          GetObjectRequest.newBuilder().setKind(objectKind).setName(name).build();
      client
          .find(s -> s.getObject(request))
          .ifPresentOrElse(
              r -> {
                found.add(r.getObject());
                versions.add(r.getVersion());
              },
              () -> missing.add(name));
    }
    if (!found.isEmpty()) {
      // Objects read one by one may come from different versions: the document carries the
      // oldest, so an apply of it is refused if anything moved on since any of them was read.
      long version = versions.stream().mapToLong(Long::longValue).min().orElse(0);
      ObjectOutput.print(out(), objectKind, found, names.size() == 1, f, path, version);
    }
    // As kubectl: what was found is shown, each name that was not is an error, and the exit
    // code says that something was missing.
    for (String name : missing) {
      err().println("error: no " + Kinds.name(objectKind) + " named '" + name + "'");
    }
    return missing.isEmpty() ? ExitCode.OK : ExitCode.INVALID_INPUT;
  }

  private int config(AdminClient client) {
    if (!names.isEmpty()) {
      throw Failure.invalidInput("get config takes no NAME (it shows the whole config)");
    }
    if (format != null && format != Format.YAML && format != Format.JSON) {
      throw Failure.invalidInput("get config prints yaml or json, not " + formatName());
    }
    var read = client.call(s -> s.getConfig(GetConfigRequest.getDefaultInstance()));
    out()
        .print(
            ObjectDocuments.config(
                read.getConfig(), format == null ? Format.YAML : format, read.getVersion()));
    return ExitCode.OK;
  }

  private int watch(AdminClient client) {
    if (!names.isEmpty()) {
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

  private String formatName() {
    return format == Format.TABLE ? "a table" : format.name().toLowerCase(Locale.ROOT);
  }

  /** For shell completion. */
  static final class KindsAndConfig implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("listener", "upstream", "route", "config", "nodes").iterator();
    }
  }
}
