package dev.wharf.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import dev.wharf.proto.config.v1.Size;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Fills a protobuf message from a YAML node tree, field by field through the message's descriptor,
 * so that the YAML form has exactly the protobuf schema (snake_case field names).
 *
 * <p>It never stops at the first problem: each bad field is recorded with its path and skipped, and
 * the rest of the document is still read. It also records the source line of every field, so that
 * later validation errors can point at a line.
 *
 * <p>An alias is read again wherever it stands, so it counts every value it reads, and stops
 * (throwing {@link DocumentLimits.Exceeded}) past {@link DocumentLimits#MAX_VALUES}.
 */
final class MessageReader {
  private final List<ConfigError> errors = new ArrayList<>();
  private final Map<String, Integer> lines = new HashMap<>();
  private int values;

  List<ConfigError> errors() {
    return errors;
  }

  /** Source line (1-based) of each field path read. */
  Map<String, Integer> lines() {
    return lines;
  }

  void read(Node node, Message.Builder builder, String path) {
    if (!(node instanceof MappingNode mapping)) {
      error(path, node, "expected a mapping of " + describe(builder.getDescriptorForType()));
      return;
    }
    Descriptor type = builder.getDescriptorForType();
    Set<String> seen = new HashSet<>();
    for (NodeTuple tuple : mapping.getValue()) {
      count(tuple.getKeyNode());
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        error(path, tuple.getKeyNode(), "field names must be plain strings");
        continue;
      }
      String key = keyNode.getValue();
      String fieldPath = path.isEmpty() ? key : path + "." + key;
      if (!seen.add(key)) {
        error(fieldPath, keyNode, "given twice");
        continue;
      }
      FieldDescriptor field = type.findFieldByName(key);
      if (field == null) {
        error(fieldPath, keyNode, "unknown field (expected one of: " + fieldNames(type) + ")");
        continue;
      }
      Node value = tuple.getValueNode();
      line(fieldPath, value);
      if (isNull(value)) {
        continue; // `field:` with nothing after it means "unset"
      }
      OneofDescriptor oneof = field.getRealContainingOneof();
      if (oneof != null && builder.hasOneof(oneof)) {
        error(
            fieldPath,
            keyNode,
            "only one of "
                + oneofNames(oneof)
                + " may be set, and "
                + builder.getOneofFieldDescriptor(oneof).getName()
                + " already is");
        continue;
      }
      readField(value, builder, field, fieldPath);
    }
  }

  private void readField(Node value, Message.Builder builder, FieldDescriptor field, String path) {
    if (field.isMapField()) {
      readMap(value, builder, field, path);
    } else if (field.isRepeated()) {
      if (!(value instanceof SequenceNode sequence)) {
        error(path, value, "expected a list");
        return;
      }
      List<Node> items = sequence.getValue();
      for (int i = 0; i < items.size(); i++) {
        String itemPath = path + "[" + i + "]";
        line(itemPath, items.get(i));
        Object item = convert(items.get(i), builder, field, itemPath);
        if (item != null) {
          builder.addRepeatedField(field, item);
        }
      }
    } else {
      Object converted = convert(value, builder, field, path);
      if (converted != null) {
        builder.setField(field, converted);
      }
    }
  }

  private void readMap(Node value, Message.Builder builder, FieldDescriptor field, String path) {
    if (!(value instanceof MappingNode mapping)) {
      error(path, value, "expected a mapping");
      return;
    }
    FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
    FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
    for (NodeTuple tuple : mapping.getValue()) {
      count(tuple.getKeyNode());
      Message.Builder entry = builder.newBuilderForField(field);
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        error(path, tuple.getKeyNode(), "map keys must be plain strings");
        continue;
      }
      String entryPath = path + "." + keyNode.getValue();
      line(entryPath, tuple.getValueNode());
      Object v = convert(tuple.getValueNode(), entry, valueField, entryPath);
      if (v != null) {
        builder.addRepeatedField(
            field, entry.setField(keyField, keyNode.getValue()).setField(valueField, v).build());
      }
    }
  }

  /** The value for one (non-repeated view of a) field, or null after recording an error. */
  private Object convert(Node node, Message.Builder parent, FieldDescriptor field, String path) {
    count(node);
    switch (field.getJavaType()) {
      case MESSAGE -> {
        Descriptor type = field.getMessageType();
        if (type.equals(Duration.getDescriptor())) {
          return scalar(node, path, "a duration such as 30s", Durations::parse);
        }
        if (type.equals(Size.getDescriptor())) {
          return scalar(node, path, "a size such as 16k", Sizes::parse);
        }
        Message.Builder child = parent.newBuilderForField(field);
        read(node, child, path);
        return child.build();
      }
      case STRING -> {
        return scalar(node, path, "a string", s -> s);
      }
      case BOOLEAN -> {
        if (node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)) {
          return Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT));
        }
        error(path, node, "expected true or false");
        return null;
      }
      case INT, LONG -> {
        return integer(node, field, path);
      }
      case ENUM -> {
        return scalar(node, path, "one of " + enumNames(field), s -> enumValue(field, s));
      }
      default -> {
        error(path, node, "fields of type " + field.getJavaType() + " are not supported");
        return null;
      }
    }
  }

  private Object integer(Node node, FieldDescriptor field, String path) {
    if (!(node instanceof ScalarNode s) || !s.getTag().equals(Tag.INT)) {
      error(path, node, "expected a whole number");
      return null;
    }
    long value;
    try {
      value = Long.decode(s.getValue().replace("_", ""));
    } catch (NumberFormatException e) {
      error(path, node, "'" + s.getValue() + "' is out of range");
      return null;
    }
    boolean unsigned =
        field.getType() == FieldDescriptor.Type.UINT32
            || field.getType() == FieldDescriptor.Type.UINT64;
    if (unsigned && value < 0) {
      error(path, node, s.getValue() + " is negative (expected: >= 0)");
      return null;
    }
    if (field.getJavaType() == FieldDescriptor.JavaType.INT) {
      long max = unsigned ? 0xFFFF_FFFFL : Integer.MAX_VALUE;
      if (value > max || value < Integer.MIN_VALUE) {
        error(path, node, s.getValue() + " is out of range (expected: <= " + max + ")");
        return null;
      }
      return (int) value;
    }
    return value;
  }

  private Object scalar(Node node, String path, String expected, Function<String, Object> parse) {
    if (!(node instanceof ScalarNode s)) {
      error(path, node, "expected " + expected);
      return null;
    }
    try {
      return parse.apply(s.getValue());
    } catch (IllegalArgumentException e) {
      error(path, node, e.getMessage());
      return null;
    }
  }

  private static EnumValueDescriptor enumValue(FieldDescriptor field, String text) {
    EnumValueDescriptor value =
        field.getEnumType().findValueByName(text.toUpperCase(Locale.ROOT).replace('-', '_'));
    if (value == null || value.getNumber() == 0) {
      throw new IllegalArgumentException("'" + text + "' is not one of " + enumNames(field));
    }
    return value;
  }

  /** YAML spelling of an enum value: lower case. */
  static String enumName(EnumValueDescriptor value) {
    return value.getName().toLowerCase(Locale.ROOT);
  }

  private static String enumNames(FieldDescriptor field) {
    return field.getEnumType().getValues().stream()
        .filter(v -> v.getNumber() != 0)
        .map(MessageReader::enumName)
        .collect(Collectors.joining(", "));
  }

  private static String fieldNames(Descriptor type) {
    return type.getFields().stream()
        .map(FieldDescriptor::getName)
        .collect(Collectors.joining(", "));
  }

  private static String oneofNames(OneofDescriptor oneof) {
    return oneof.getFields().stream()
        .map(FieldDescriptor::getName)
        .collect(Collectors.joining(", "));
  }

  private static String describe(Descriptor type) {
    return fieldNames(type).isEmpty() ? type.getName() : "fields (" + fieldNames(type) + ")";
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
  }

  private void count(Node node) {
    if (++values > DocumentLimits.MAX_VALUES) {
      throw new DocumentLimits.Exceeded(DocumentLimits.tooManyExpandedValues(lineOf(node)));
    }
  }

  private void line(String path, Node node) {
    node.getStartMark().ifPresent(mark -> lines.put(path, mark.getLine() + 1));
  }

  private void error(String path, Node node, String message) {
    errors.add(new ConfigError(path, message, lineOf(node)));
  }

  private static int lineOf(Node node) {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }
}
