package dev.wharf.cli.output;

import com.google.protobuf.Message;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.config.v1.Config;
import java.util.List;

/**
 * Config objects as YAML or JSON, written by the same mapping config files are read with ({@link
 * ConfigDocuments}). A list is a document holding just those objects ({@code routes: [...]}); a
 * single object is printed by itself, so {@code jq .proxy.upstream} works on it.
 */
public final class ObjectDocuments {
  private ObjectDocuments() {}

  /** A config document of {@code objects}. */
  public static String of(List<ConfigObject> objects, Format format) {
    return config(Kinds.config(objects), format);
  }

  public static String config(Config config, Format format) {
    return format == Format.JSON ? ConfigDocuments.toJson(config) : ConfigDocuments.toYaml(config);
  }

  /**
   * A config document of {@code objects} that records the version they were read at ({@code
   * metadata: {version: N}}), so {@code apply} can refuse it once the config has moved on.
   */
  public static String of(List<ConfigObject> objects, Format format, long version) {
    return config(Kinds.config(objects), format, version);
  }

  /** {@code config} as a document that records the version it was read at. */
  public static String config(Config config, Format format, long version) {
    return format == Format.JSON
        ? ConfigDocuments.toJson(config, version)
        : ConfigDocuments.toYaml(config, version);
  }

  /** One object by itself: its fields at the top. */
  public static String of(ConfigObject object, Format format) {
    Message message =
        switch (object.getKindCase()) {
          case LISTENER -> object.getListener();
          case UPSTREAM -> object.getUpstream();
          case ROUTE -> object.getRoute();
          default -> throw new IllegalArgumentException("an object of no kind");
        };
    return format == Format.JSON
        ? ConfigDocuments.toJson(message)
        : ConfigDocuments.toYaml(message);
  }
}
