package dev.wharf.config;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import dev.wharf.proto.config.v1.Size;
import java.util.List;
import java.util.Random;

/**
 * Builds messages with every field set to a non-default value, through the descriptor, so a
 * round-trip test covers fields added after it was written. {@code variant} picks which member of
 * each oneof is set, so that running variants 0..n covers every member.
 */
final class ConfigFiller {
  private final Random random;
  private final int variant;
  private int counter;

  ConfigFiller(long seed, int variant) {
    this.random = new Random(seed);
    this.variant = variant;
  }

  <T extends Message> T fill(T prototype) {
    @SuppressWarnings("unchecked")
    T built = (T) fill(prototype.newBuilderForType()).build();
    return built;
  }

  private Message.Builder fill(Message.Builder builder) {
    Descriptor type = builder.getDescriptorForType();
    for (FieldDescriptor field : type.getFields()) {
      var oneof = field.getRealContainingOneof();
      if (oneof != null && oneof.getField(variant % oneof.getFieldCount()) != field) {
        continue;
      }
      if (field.isRepeated()) {
        for (int i = 0; i < 2; i++) {
          builder.addRepeatedField(field, value(builder, field));
        }
      } else {
        builder.setField(field, value(builder, field));
      }
    }
    return builder;
  }

  private Object value(Message.Builder parent, FieldDescriptor field) {
    if (field.isMapField()) {
      Message.Builder entry = parent.newBuilderForField(field);
      FieldDescriptor key = entry.getDescriptorForType().findFieldByName("key");
      FieldDescriptor value = entry.getDescriptorForType().findFieldByName("value");
      return entry.setField(key, "k" + (++counter)).setField(value, scalar(value, entry)).build();
    }
    return scalar(field, parent);
  }

  private Object scalar(FieldDescriptor field, Message.Builder parent) {
    return switch (field.getJavaType()) {
      case MESSAGE -> {
        if (field.getMessageType().equals(Duration.getDescriptor())) {
          yield Duration.newBuilder()
              .setSeconds(random.nextInt(200_000))
              .setNanos(random.nextInt(1_000_000_000))
              .build();
        }
        if (field.getMessageType().equals(Size.getDescriptor())) {
          yield Size.newBuilder().setBytes(1 + random.nextInt(1 << 30)).build();
        }
        yield fill(parent.newBuilderForField(field)).build();
      }
      case STRING ->
          List.of("$host", "a b", "/x?y=1", "é", "tab\there", "'q'").get(random.nextInt(6))
              + (++counter);
      case BOOLEAN -> field.hasPresence() ? random.nextBoolean() : true;
      case INT -> 1 + random.nextInt(60_000);
      case LONG -> 1L + random.nextInt(1 << 30);
      case ENUM -> {
        List<EnumValueDescriptor> values = field.getEnumType().getValues();
        yield values.get(1 + random.nextInt(values.size() - 1));
      }
      default -> throw new AssertionError("model has an unexpected field type: " + field);
    };
  }
}
