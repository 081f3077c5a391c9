package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.output.Kinds;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.ListHistoryRequest;
import dev.wharf.proto.admin.v1.ListNodesRequest;
import dev.wharf.proto.admin.v1.ListObjectsRequest;
import dev.wharf.proto.admin.v1.ObjectKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The values of parameters that name something on the server, for completion: the object names of a
 * kind, node ids, versions in the history. Which ones a parameter takes is read from its label
 * ({@code UPSTREAM}, {@code NODE}...) and, for {@code NAME}, from the KIND typed before it.
 */
final class ServerNames {
  /** Flags of ConnectionOptions that take a value: the ones a lookup connects with. */
  private static final Set<String> CONNECTION_FLAGS =
      Set.of("--server", "--token", "--token-file", "--tls-ca", "--context", "--timeout");

  private ServerNames() {}

  /** One way to ask the Admin API for names. */
  interface Lookup {
    List<String> names(AdminClient client);
  }

  static Optional<Lookup> lookupFor(CompletionWalk walk, ArgSpec arg) {
    String label = arg.paramLabel();
    return switch (label) {
      case "UPSTREAM" -> Optional.of(objects(ObjectKind.OBJECT_KIND_UPSTREAM));
      case "LISTENER" -> Optional.of(objects(ObjectKind.OBJECT_KIND_LISTENER));
      case "ROUTE" -> Optional.of(objects(ObjectKind.OBJECT_KIND_ROUTE));
      case "NODE" -> Optional.of(ServerNames::nodes);
      case "VERSION" -> Optional.of(ServerNames::versions);
      case "NAME" -> nameOf(walk, arg);
      default -> Optional.empty();
    };
  }

  /** The connection flags among {@code words}, with their values, as picocli parses them. */
  static String[] connectionArgs(List<String> words) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      String flag = w.contains("=") ? w.substring(0, w.indexOf('=')) : w;
      if (!CONNECTION_FLAGS.contains(flag)) {
        continue;
      }
      if (w.contains("=")) {
        out.add(w);
      } else if (i + 1 < words.size() - 1) { // the last word is the one being completed
        out.add(w);
        out.add(words.get(++i));
      }
    }
    return out.toArray(String[]::new);
  }

  private static Optional<Lookup> nameOf(CompletionWalk walk, ArgSpec arg) {
    if (walk.commandName().equals("route set")) {
      return Optional.of(objects(ObjectKind.OBJECT_KIND_ROUTE));
    }
    boolean afterKind =
        arg instanceof PositionalParamSpec p
            && p.index().min() == 1
            && walk.command().positionalParameters().stream()
                .anyMatch(k -> k.index().contains(0) && k.paramLabel().equals("KIND"));
    if (!afterKind || walk.positionals().isEmpty()) {
      return Optional.empty();
    }
    String kind = walk.positionals().get(0);
    if (kind.equalsIgnoreCase("config")) {
      return Optional.empty();
    }
    return Optional.of(objects(Kinds.parse(kind)));
  }

  private static Lookup objects(ObjectKind kind) {
    return client ->
        client
            .call(s -> s.listObjects(ListObjectsRequest.newBuilder().setKind(kind).build()))
            .getObjectsList()
            .stream()
            .map(ServerNames::name)
            .toList();
  }

  private static String name(ConfigObject o) {
    return switch (o.getKindCase()) {
      case LISTENER -> o.getListener().getName();
      case UPSTREAM -> o.getUpstream().getName();
      case ROUTE -> o.getRoute().getName();
      default -> "";
    };
  }

  private static List<String> nodes(AdminClient client) {
    return client
        .call(s -> s.listNodes(ListNodesRequest.getDefaultInstance()))
        .getNodesList()
        .stream()
        .map(n -> n.getStatus().getNodeId())
        .toList();
  }

  private static List<String> versions(AdminClient client) {
    return client
        .call(s -> s.listHistory(ListHistoryRequest.newBuilder().setLimit(20).build()))
        .getEntriesList()
        .stream()
        .map(e -> Long.toString(e.getVersion()))
        .toList();
  }
}
