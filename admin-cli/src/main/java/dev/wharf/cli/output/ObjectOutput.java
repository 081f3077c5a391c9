package dev.wharf.cli.output;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.ObjectKind;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code get}'s output of config objects in every {@code -o} format. One object asked for by name
 * is printed by itself in yaml, json and jsonpath; a list, or several names, as a document of those
 * objects (yaml, json) or, for jsonpath, as kubectl's lists are: {@code {items: [...]}}.
 */
public final class ObjectOutput {
  private ObjectOutput() {}

  /**
   * Prints {@code objects} of {@code kind}; {@code single} when exactly one name was asked for;
   * {@code template} only for {@link Format#JSONPATH}; {@code version} the config version the
   * objects were read at, written into yaml and json documents (0: none).
   */
  public static void print(
      PrintWriter out,
      ObjectKind kind,
      List<ConfigObject> objects,
      boolean single,
      Format format,
      JsonPath template,
      long version) {
    switch (format) {
      case YAML, JSON ->
          out.print(
              single
                  ? ObjectDocuments.of(objects.get(0), format)
                  : ObjectDocuments.of(objects, format, version));
      case NAME -> objects.forEach(o -> out.println(Kinds.name(kind) + "/" + name(o)));
      case JSONPATH -> {
        Object document = single ? tree(objects.get(0)) : Map.of("items", trees(objects));
        out.print(template.apply(document));
      }
      default -> {
        if (objects.isEmpty()) {
          out.println("no " + Kinds.name(kind) + "s");
        } else if (format == Format.WIDE) {
          WideTables.of(kind, objects).print(out);
        } else {
          ObjectTables.of(kind, objects).print(out);
        }
      }
    }
  }

  /** The object's name, whatever its kind. */
  public static String name(ConfigObject o) {
    return switch (o.getKindCase()) {
      case LISTENER -> o.getListener().getName();
      case UPSTREAM -> o.getUpstream().getName();
      case ROUTE -> o.getRoute().getName();
      default -> "";
    };
  }

  private static List<Object> trees(List<ConfigObject> objects) {
    List<Object> out = new ArrayList<>();
    objects.forEach(o -> out.add(tree(o)));
    return out;
  }

  /** The object as {@code -o json} prints it, as maps, lists and scalars. */
  static Object tree(ConfigObject o) {
    FieldDescriptor field =
        o.getKindCase() == ConfigObject.KindCase.KIND_NOT_SET
            ? null
            : ConfigObject.getDescriptor().findFieldByNumber(o.getKindCase().getNumber());
    if (field == null) {
      return Map.of();
    }
    return ConfigDocuments.valueTree(field, (Message) o.getField(field));
  }
}
