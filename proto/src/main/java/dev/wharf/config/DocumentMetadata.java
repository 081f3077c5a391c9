package dev.wharf.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A document's optional top-level {@code metadata: {version: N}}: the config version the document
 * was read at ({@code wharfctl get} writes it, {@code wharfctl apply} sends it as the version its
 * write is based on). It is not part of the config: {@link #split} takes it off the root mapping
 * before the config is read, and reports its problems (unknown keys, a version that is not a
 * positive whole number) with the field and the reason.
 */
final class DocumentMetadata {
  static final String KEY = "metadata";
  private static final String VERSION = "version";
  // A uint64 config version as YAML writes it; 19 digits keep it within a long.
  private static final Pattern DIGITS = Pattern.compile("[1-9][0-9]{0,18}");

  /** The root mapping without its metadata, the version it recorded (0: none), its problems. */
  record Split(Node config, long version, List<ConfigError> errors) {}

  private DocumentMetadata() {}

  static Split split(Node root) {
    if (!(root instanceof MappingNode mapping)) {
      return new Split(root, 0, List.of());
    }
    List<NodeTuple> rest = new ArrayList<>();
    List<ConfigError> errors = new ArrayList<>();
    long version = 0;
    boolean seen = false;
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode key) || !key.getValue().equals(KEY)) {
        rest.add(tuple);
        continue;
      }
      if (seen) {
        errors.add(error(KEY, key, "given twice"));
        continue;
      }
      seen = true;
      version = read(tuple.getValueNode(), errors);
    }
    if (!seen) {
      return new Split(root, 0, List.of());
    }
    MappingNode config =
        new MappingNode(
            mapping.getTag(),
            false,
            rest,
            mapping.getFlowStyle(),
            mapping.getStartMark(),
            mapping.getEndMark());
    return new Split(config, errors.isEmpty() ? version : 0, errors);
  }

  private static long read(Node value, List<ConfigError> errors) {
    if (value instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL)) {
      return 0; // `metadata:` with nothing after it
    }
    if (!(value instanceof MappingNode mapping)) {
      errors.add(error(KEY, value, "expected a mapping of version"));
      return 0;
    }
    long version = 0;
    boolean seen = false;
    for (NodeTuple tuple : mapping.getValue()) {
      String key =
          tuple.getKeyNode() instanceof ScalarNode s && !s.getTag().equals(Tag.NULL)
              ? s.getValue()
              : null;
      if (key == null || !key.equals(VERSION)) {
        // One error is enough: an alias may make this mapping huge.
        errors.add(
            error(
                KEY + (key == null ? "" : "." + key),
                tuple.getKeyNode(),
                key == null
                    ? "field names must be plain strings"
                    : "unknown field (expected: version)"));
        return 0;
      }
      if (seen) {
        errors.add(error(KEY + "." + VERSION, tuple.getKeyNode(), "given twice"));
        return 0;
      }
      seen = true;
      version = version(tuple.getValueNode(), errors);
    }
    return version;
  }

  private static long version(Node value, List<ConfigError> errors) {
    String path = KEY + "." + VERSION;
    if (!(value instanceof ScalarNode scalar)) {
      errors.add(error(path, value, "expected a positive whole number (a config version)"));
      return 0;
    }
    String text = scalar.getValue();
    if (scalar.getTag().equals(Tag.INT) && DIGITS.matcher(text).matches()) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        // past Long.MAX_VALUE: refused below
      }
    }
    String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
    errors.add(
        error(
            path, value, "'" + shown + "' is not a config version (expected: a whole number > 0)"));
    return 0;
  }

  private static ConfigError error(String path, Node node, String message) {
    int line = node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    return new ConfigError(path, message, line);
  }
}
