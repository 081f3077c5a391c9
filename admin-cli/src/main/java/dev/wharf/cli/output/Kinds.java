package dev.wharf.cli.output;

import dev.wharf.cli.exit.Failure;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.config.v1.Config;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** The kinds of config objects as the command line names them: listener, upstream, route. */
public final class Kinds {
  private Kinds() {}

  /** {@code route} for OBJECT_KIND_ROUTE. */
  public static String name(ObjectKind kind) {
    return switch (kind) {
      case OBJECT_KIND_LISTENER -> "listener";
      case OBJECT_KIND_UPSTREAM -> "upstream";
      case OBJECT_KIND_ROUTE -> "route";
      default -> "object";
    };
  }

  /** Reads {@code route} or {@code routes} (any case); anything else is a Failure (exit 1). */
  public static ObjectKind parse(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return switch (w.endsWith("s") ? w.substring(0, w.length() - 1) : w) {
      case "listener" -> ObjectKind.OBJECT_KIND_LISTENER;
      case "upstream" -> ObjectKind.OBJECT_KIND_UPSTREAM;
      case "route" -> ObjectKind.OBJECT_KIND_ROUTE;
      default ->
          throw Failure.invalidInput(
              "unknown kind '" + word + "' (expected: listener, upstream or route)");
    };
  }

  public static ObjectKind of(ConfigObject object) {
    return switch (object.getKindCase()) {
      case LISTENER -> ObjectKind.OBJECT_KIND_LISTENER;
      case UPSTREAM -> ObjectKind.OBJECT_KIND_UPSTREAM;
      case ROUTE -> ObjectKind.OBJECT_KIND_ROUTE;
      default -> ObjectKind.OBJECT_KIND_UNSPECIFIED;
    };
  }

  /** A config holding just {@code objects}, in the order given. */
  static Config config(List<ConfigObject> objects) {
    Config.Builder config = Config.newBuilder();
    for (ConfigObject o : objects) {
      switch (o.getKindCase()) {
        case LISTENER -> config.addListeners(o.getListener());
        case UPSTREAM -> config.addUpstreams(o.getUpstream());
        case ROUTE -> config.addRoutes(o.getRoute());
        default -> {} // an object kind newer than this wharfctl: nothing to show
      }
    }
    return config.build();
  }

  /** For shell completion of the KIND parameter. */
  public static final class Candidates implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("listener", "upstream", "route").iterator();
    }
  }
}
