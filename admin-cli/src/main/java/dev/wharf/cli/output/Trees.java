package dev.wharf.cli.output;

import com.google.gson.GsonBuilder;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Plain trees (maps, lists, strings, numbers) as YAML or JSON, laid out as config documents are
 * ({@code ConfigDocuments}): what {@code nodes}, {@code history}, {@code health} and {@code
 * version} print with {@code -o yaml|json}. Times in them are strings as tables show them.
 */
public final class Trees {
  private Trees() {}

  /** {@code tree} as {@code format}: JSON for JSON, else YAML. */
  public static String print(Map<String, ?> tree, Format format) {
    if (format == Format.JSON) {
      return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(tree)
          + "\n";
    }
    DumpSettings settings =
        DumpSettings.builder()
            .setDefaultFlowStyle(FlowStyle.BLOCK)
            .setIndent(2)
            .setIndicatorIndent(2)
            .setIndentWithIndicator(true)
            .setWidth(100)
            .build();
    return new Dump(settings).dumpToString(tree);
  }
}
