package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.output.Format;
import dev.wharf.cli.output.Kinds;
import dev.wharf.cli.output.ObjectDocuments;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.ConfigVersionEvent;
import dev.wharf.proto.admin.v1.NodeEvent;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.admin.v1.WatchRequest;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code wharfctl get config|KIND|nodes --watch}: follows the Admin API's {@code Watch} stream and
 * prints each change as it comes, until the server ends the stream or the command is interrupted.
 *
 * <ul>
 *   <li>{@code config}: a line {@code version N} per version; with {@code -o yaml|json} the whole
 *       config, one document per version.
 *   <li>a kind: a line {@code N KIND NAME present|created|updated|deleted} per object that differs
 *       from the previous version (every object, {@code present}, for the first); with {@code -o
 *       yaml|json} the objects of that kind, one document per version.
 *   <li>{@code nodes}: a line per node status change.
 * </ul>
 *
 * A client that reads slowly sees the latest version, not every one in between.
 */
final class GetWatch {
  private final PrintWriter out;
  private final Format format;
  private Map<String, ConfigObject> previous;

  private GetWatch(PrintWriter out, Format format) {
    this.out = out;
    this.format = format;
  }

  static int config(AdminClient client, PrintWriter out, Format format) {
    GetWatch w = new GetWatch(out, format);
    WatchRequest request = WatchRequest.newBuilder().setIncludeConfig(format != null).build();
    client.stream(s -> s.watch(request), e -> w.onConfig(e.getConfig()));
    return ExitCode.OK;
  }

  static int objects(AdminClient client, PrintWriter out, Format format, ObjectKind kind) {
    GetWatch w = new GetWatch(out, format == Format.TABLE ? null : format);
    WatchRequest request = WatchRequest.newBuilder().setIncludeConfig(true).build();
    client.stream(s -> s.watch(request), e -> w.onObjects(e.getConfig(), kind));
    return ExitCode.OK;
  }

  static int nodes(AdminClient client, PrintWriter out) {
    GetWatch w = new GetWatch(out, null);
    WatchRequest request = WatchRequest.newBuilder().setNodes(true).build();
    client.stream(
        s -> s.watch(request),
        e -> {
          if (e.hasNode()) {
            w.onNode(e.getNode());
          }
        });
    return ExitCode.OK;
  }

  private void onConfig(ConfigVersionEvent e) {
    if (format == null) {
      out.println("version " + e.getVersion());
    } else {
      if (format == Format.YAML) {
        out.println("--- # version " + e.getVersion());
      }
      out.print(ObjectDocuments.config(e.getConfig(), format));
    }
    out.flush();
  }

  private void onObjects(ConfigVersionEvent e, ObjectKind kind) {
    Map<String, ConfigObject> now = objects(e.getConfig(), kind);
    if (format != null) {
      if (format == Format.YAML) {
        out.println("--- # version " + e.getVersion());
      }
      out.print(ObjectDocuments.of(List.copyOf(now.values()), format));
    } else {
      String noun = Kinds.name(kind);
      boolean first = previous == null;
      Map<String, ConfigObject> before = first ? Map.of() : previous;
      now.forEach(
          (name, object) -> {
            ConfigObject old = before.get(name);
            String action =
                first ? "present" : old == null ? "created" : old.equals(object) ? null : "updated";
            if (action != null) {
              out.println(e.getVersion() + " " + noun + " " + name + " " + action);
            }
          });
      before.keySet().stream()
          .filter(name -> !now.containsKey(name))
          .forEach(name -> out.println(e.getVersion() + " " + noun + " " + name + " deleted"));
    }
    previous = now;
    out.flush();
  }

  private static Map<String, ConfigObject> objects(Config config, ObjectKind kind) {
    Map<String, ConfigObject> out = new LinkedHashMap<>();
    switch (kind) {
      case OBJECT_KIND_LISTENER ->
          config
              .getListenersList()
              .forEach(l -> out.put(l.getName(), ConfigObject.newBuilder().setListener(l).build()));
      case OBJECT_KIND_UPSTREAM ->
          config
              .getUpstreamsList()
              .forEach(u -> out.put(u.getName(), ConfigObject.newBuilder().setUpstream(u).build()));
      case OBJECT_KIND_ROUTE ->
          config
              .getRoutesList()
              .forEach(r -> out.put(r.getName(), ConfigObject.newBuilder().setRoute(r).build()));
      default -> {}
    }
    return out;
  }

  private void onNode(NodeEvent e) {
    NodeStatus s = e.getStatus();
    StringBuilder line = new StringBuilder(s.getNodeId());
    if (e.getRemoved()) {
      line.append(" removed");
    } else {
      line.append(" version ")
          .append(s.getAckedVersion())
          .append(" replica ")
          .append(s.getReplica());
      if (s.getLastNackVersion() != 0) {
        line.append(" refused ")
            .append(s.getLastNackVersion())
            .append(": ")
            .append(s.getLastNackReason());
      }
      if (s.getDraining()) {
        line.append(' ').append(DrainCommand.progress(s));
      }
    }
    out.println(line);
    out.flush();
  }
}
