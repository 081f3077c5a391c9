package dev.wharf.controlplane.admin;

import dev.wharf.config.ConfigError;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The validator's errors about a merged config, told in terms of the document that was merged: an
 * error about one of the document's objects names its place in the document ({@code routes[0]...}
 * even when it went third into the config); an error about an object the document does not hold
 * keeps its place in the merged config and says whose it is.
 */
final class DocumentPaths {
  private static final Pattern OBJECT =
      Pattern.compile("(listeners|upstreams|routes)\\[(\\d+)](.*)");

  private DocumentPaths() {}

  static List<ConfigError> of(List<ConfigError> errors, Config merged, Config document) {
    List<ConfigError> out = new ArrayList<>(errors.size());
    for (ConfigError e : errors) {
      Matcher m = OBJECT.matcher(e.path());
      if (!m.matches()) {
        out.add(e);
        continue;
      }
      String kind = m.group(1);
      int index = Integer.parseInt(m.group(2));
      List<String> inMerged = names(merged, kind);
      if (index >= inMerged.size()) {
        out.add(e);
        continue;
      }
      String name = inMerged.get(index);
      int inDocument = names(document, kind).indexOf(name);
      if (inDocument >= 0) {
        out.add(new ConfigError(kind + "[" + inDocument + "]" + m.group(3), e.message()));
      } else {
        String noun = kind.substring(0, kind.length() - 1);
        out.add(
            new ConfigError(
                e.path(),
                e.message()
                    + " (in "
                    + noun
                    + " '"
                    + name
                    + "' of the current config, which the document does not hold)"));
      }
    }
    return out;
  }

  private static List<String> names(Config config, String kind) {
    return switch (kind) {
      case "listeners" -> config.getListenersList().stream().map(Listener::getName).toList();
      case "upstreams" -> config.getUpstreamsList().stream().map(Upstream::getName).toList();
      default -> config.getRoutesList().stream().map(Route::getName).toList();
    };
  }
}
