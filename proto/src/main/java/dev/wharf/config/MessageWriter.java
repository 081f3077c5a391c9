package dev.wharf.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import dev.wharf.proto.config.v1.Size;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a protobuf message into plain maps, lists and scalars in the form {@link MessageReader}
 * reads: snake_case names, human durations and sizes, lower-case enums, only the fields that are
 * set, in field-number order (so the same config always prints the same way).
 */
final class MessageWriter {
  private MessageWriter() {}

  static Map<String, Object> toTree(Message message) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<FieldDescriptor, Object> e : message.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      if (field.isMapField()) {
        out.put(field.getName(), mapValue(field, e.getValue()));
      } else if (field.isRepeated()) {
        List<Object> items = new ArrayList<>();
        for (Object item : (List<?>) e.getValue()) {
          items.add(value(field, item));
        }
        out.put(field.getName(), items);
      } else {
        out.put(field.getName(), value(field, e.getValue()));
      }
    }
    return out;
  }

  private static Map<String, Object> mapValue(FieldDescriptor field, Object entries) {
    FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
    FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
    Map<String, Object> out = new LinkedHashMap<>();
    for (Object o : (List<?>) entries) {
      Message entry = (Message) o;
      out.put(
          String.valueOf(entry.getField(keyField)), value(valueField, entry.getField(valueField)));
    }
    return out;
  }

  static Object value(FieldDescriptor field, Object value) {
    return switch (field.getJavaType()) {
      case MESSAGE -> message((Message) value);
      case ENUM -> MessageReader.enumName((EnumValueDescriptor) value);
      case INT -> isUnsigned(field) ? Integer.toUnsignedLong((Integer) value) : value;
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
    return toTree(m);
  }

  private static boolean isUnsigned(FieldDescriptor field) {
    return field.getType() == FieldDescriptor.Type.UINT32;
  }
}
