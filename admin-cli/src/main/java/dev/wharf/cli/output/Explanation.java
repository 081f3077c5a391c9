package dev.wharf.cli.output;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import dev.wharf.cli.exit.Failure;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Size;
import dev.wharf.proto.config.v1.Upstream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code wharfctl explain KIND[.FIELD...]}: what a kind or one of its fields is, in the words of
 * config.proto's comments, with its type as a config document writes it ({@code <duration>}, {@code
 * <[]Endpoint>}) and, for an object, its fields. Field names are the document's (the proto names,
 * {@code connect_timeout}); a list's elements are explained through the list's name ({@code
 * upstream.endpoints.address}).
 */
public final class Explanation {
  private static final Map<String, Descriptor> KINDS =
      Map.of(
          "config", Config.getDescriptor(),
          "listener", Listener.getDescriptor(),
          "upstream", Upstream.getDescriptor(),
          "route", Route.getDescriptor());
  private static final String INDENT = "    ";

  private Explanation() {}

  /**
   * The text for {@code path} ({@code route}, {@code route.proxy.upstream}); an unknown kind or
   * field is a Failure (exit 1) naming what is there instead.
   */
  public static String of(String path) {
    ProtoComments comments = ProtoComments.load();
    String[] parts = path.split("\\.", -1);
    String kind = kindName(parts[0]);
    Descriptor type = KINDS.get(kind);
    if (type == null) {
      throw Failure.invalidInput(
          "unknown kind '" + parts[0] + "' (expected: config, listener, upstream or route)");
    }
    StringBuilder out = new StringBuilder();
    out.append("KIND:     ").append(kind).append('\n');
    if (parts.length == 1) {
      out.append('\n');
      description(out, comments.of(type));
      fields(out, type, comments);
      return out.toString();
    }
    FieldDescriptor field = null;
    String walked = kind;
    for (int i = 1; i < parts.length; i++) {
      if (type == null) {
        throw Failure.invalidInput(
            walked + " is " + article(typeName(field)) + "; it has no field '" + parts[i] + "'");
      }
      field = type.findFieldByName(parts[i]);
      if (field == null) {
        throw Failure.invalidInput(
            "no field '"
                + parts[i]
                + "' in "
                + walked
                + " (its fields: "
                + type.getFields().stream()
                    .map(FieldDescriptor::getName)
                    .collect(Collectors.joining(", "))
                + ")");
      }
      walked = walked + "." + field.getName();
      type = objectType(field);
    }
    out.append("FIELD:    ")
        .append(walked.substring(kind.length() + 1))
        .append(" <")
        .append(typeName(field))
        .append(">\n\n");
    String text = comments.of(field);
    if (type != null && !comments.of(type).isEmpty()) {
      text = text.isEmpty() ? comments.of(type) : text + "\n\n" + comments.of(type);
    }
    description(out, text);
    if (field.getRealContainingOneof() != null) {
      out.append(INDENT).append("Only one of: ").append(oneOf(field)).append('\n');
    }
    if (field.getType() == FieldDescriptor.Type.ENUM) {
      values(out, field);
    }
    if (type != null) {
      fields(out, type, comments);
    }
    return out.toString();
  }

  private static String kindName(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return w.endsWith("s") ? w.substring(0, w.length() - 1) : w;
  }

  /** The message a field leads into, or null when a document writes it as one value. */
  private static Descriptor objectType(FieldDescriptor field) {
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isMapField()) {
      return null;
    }
    Descriptor t = field.getMessageType();
    return t.equals(Duration.getDescriptor()) || t.equals(Size.getDescriptor()) ? null : t;
  }

  /** The type as a document writes it. */
  static String typeName(FieldDescriptor field) {
    if (field.isMapField()) {
      return "map[string]" + elementName(field.getMessageType().findFieldByName("value"));
    }
    return (field.isRepeated() ? "[]" : "") + elementName(field);
  }

  private static String elementName(FieldDescriptor field) {
    return switch (field.getJavaType()) {
      case STRING -> "string";
      case BOOLEAN -> "boolean";
      case INT, LONG -> "integer";
      case FLOAT, DOUBLE -> "number";
      case ENUM -> "enum";
      case BYTE_STRING -> "bytes";
      case MESSAGE -> {
        Descriptor t = field.getMessageType();
        if (t.equals(Duration.getDescriptor())) {
          yield "duration";
        }
        yield t.equals(Size.getDescriptor()) ? "size" : t.getName();
      }
    };
  }

  private static String article(String typeName) {
    return ("aeiou".indexOf(typeName.charAt(0)) >= 0 ? "an " : "a ") + typeName;
  }

  private static String oneOf(FieldDescriptor field) {
    return field.getRealContainingOneof().getFields().stream()
        .map(FieldDescriptor::getName)
        .collect(Collectors.joining(", "));
  }

  private static void description(StringBuilder out, String text) {
    out.append("DESCRIPTION:\n");
    indented(out, text.isEmpty() ? "(no description)" : text, INDENT);
  }

  private static void values(StringBuilder out, FieldDescriptor field) {
    List<String> names =
        field.getEnumType().getValues().stream()
            .filter(v -> v.getNumber() != 0)
            .map(EnumValueDescriptor::getName)
            .map(n -> n.toLowerCase(Locale.ROOT))
            .toList();
    out.append('\n').append("VALUES:\n");
    names.forEach(n -> out.append(INDENT).append(n).append('\n'));
  }

  private static void fields(StringBuilder out, Descriptor type, ProtoComments comments) {
    out.append('\n').append("FIELDS:\n");
    for (FieldDescriptor f : type.getFields()) {
      out.append("  ").append(f.getName()).append(" <").append(typeName(f)).append(">\n");
      String text = comments.of(f);
      if (text.isEmpty() && objectType(f) != null) {
        text = comments.of(objectType(f));
      }
      if (!text.isEmpty()) {
        indented(out, text, INDENT);
      }
    }
  }

  private static void indented(StringBuilder out, String text, String indent) {
    for (String line : text.split("\n", -1)) {
      out.append(line.isEmpty() ? "" : indent + line).append('\n');
    }
  }
}
