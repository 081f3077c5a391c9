package dev.wharf.controlplane.admin;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.config.v1.Size;
import java.util.List;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Config values as a YAML document would show them, on one line: {@code api}, {@code
 * least_connections}, {@code 30s}, {@code 16k}, {@code '10.0.0.1:80'}, {@code {address:
 * '10.0.0.3:80', weight: 2}}. Field names are the document's snake_case ones; strings are quoted
 * only where YAML needs it. Used for the values of a {@code FieldChange}.
 */
final class YamlValues {
  private YamlValues() {}

  /**
   * Whether values of {@code type} are shown as one scalar (durations and sizes) rather than as a
   * mapping whose fields a diff compares one by one.
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
    return new Dump(
            DumpSettings.builder()
                .setDefaultFlowStyle(FlowStyle.FLOW)
                .setWidth(Integer.MAX_VALUE)
                .setSplitLines(false)
                .build())
        .dumpToString(tree);
  }

  private static Object tree(FieldDescriptor field, Object value) {
    return ConfigDocuments.valueTree(field, value);
  }
}
