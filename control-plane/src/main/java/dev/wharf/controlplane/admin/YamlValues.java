package dev.wharf.controlplane.admin;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import dev.wharf.config.Durations;
import dev.wharf.config.Sizes;
import dev.wharf.proto.config.v1.Size;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Config values as a YAML document would show them, on one line: {@code api},
 * {@code least_connections}, {@code 30s}, {@code 16k}, {@code '10.0.0.1:80'},
 * {@code {address: '10.0.0.3:80', weight: 2}}. Field names are the document's snake_case ones;
 * strings are quoted only where YAML needs it. Used for the values of a {@code FieldChange}.
 */
final class YamlValues {
  private YamlValues() {}

  /**
   * Whether values of {@code type} are shown as one scalar (durations and sizes) rather than as
   * a mapping whose fields a diff compares one by one.
   */
  static boolean isScalar(Descriptor type) {
    return type.equals(Duration.getDescriptor()) || type.equals(Size.getDescriptor());
  }

  /** One value of {@code field} (one element, for a repeated field); "" for null. */
  static String render(FieldDescriptor field, Object value) {
    if (value == null) {
      return "";
    }
    // Dumped inside a flow sequence, so that every value, a multi-line string too, stays on one
    // line and is quoted by the same rules; the brackets are cut off again.
    String text = dump(List.of(tree(field, value))).strip();
    return text.substring(1, text.length() - 1);
  }

  private static String dump(Object tree) {
    // Dump keeps state while it works: one per call.
    return new Dump(DumpSettings.builder()
        .setDefaultFlowStyle(FlowStyle.FLOW)
        .setWidth(Integer.MAX_VALUE)
        .setSplitLines(false)
        .build())
        .dumpToString(tree);
  }

  private static Object tree(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case MESSAGE -> message((Message) value);
      case ENUM -> ((EnumValueDescriptor) value).getName().toLowerCase(Locale.ROOT);
      case INT -> field.getType() == FieldDescriptor.Type.UINT32
          || field.getType() == FieldDescriptor.Type.FIXED32
          ? Integer.toUnsignedLong((Integer) value) : value;
      case LONG -> field.getType() == FieldDescriptor.Type.UINT64
          || field.getType() == FieldDescriptor.Type.FIXED64
          ? Long.toUnsignedString((Long) value) : value;
      default -> value;
    };
  }

  private static Object message(Message m) {
    Descriptor type = m.getDescriptorForType();
    if (type.equals(Duration.getDescriptor())) {
      return Durations.format((Duration) m);
    }
    if (type.equals(Size.getDescriptor())) {
      String text = Sizes.format((Size) m);
      return text.chars().allMatch(Character::isDigit) ? Long.parseUnsignedLong(text) : text;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (f.isMapField()) {
        Map<String, Object> entries = new LinkedHashMap<>();
        FieldDescriptor key = f.getMessageType().findFieldByName("key");
        FieldDescriptor value = f.getMessageType().findFieldByName("value");
        for (Object o : (List<?>) e.getValue()) {
          Message entry = (Message) o;
          entries.put(String.valueOf(entry.getField(key)), tree(value, entry.getField(value)));
        }
        out.put(f.getName(), entries);
      } else if (f.isRepeated()) {
        List<Object> items = new ArrayList<>();
        for (Object item : (List<?>) e.getValue()) {
          items.add(tree(f, item));
        }
        out.put(f.getName(), items);
      } else {
        out.put(f.getName(), tree(f, e.getValue()));
      }
    }
    return out;
  }
}
