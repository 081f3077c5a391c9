package dev.wharf.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.config.v1.Config;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

/**
 * Config objects as YAML or JSON, written by the same mapping config files are read with
 * ({@link ConfigDocuments}). A list is a document holding just those objects
 * ({@code routes: [...]}); a single object is printed by itself, so {@code jq .proxy.upstream}
 * works on it.
 */
final class ObjectDocuments {
  private ObjectDocuments() {}

  /** A config document of {@code objects}. */
  static String of(List<ConfigObject> objects, Format format) {
    return config(Kinds.config(objects), format);
  }

  static String config(Config config, Format format) {
    return format == Format.JSON ? ConfigDocuments.toJson(config) : ConfigDocuments.toYaml(config);
  }

  /** One object by itself: its fields at the top. */
  static String of(ConfigObject object, Format format) {
    JsonObject document = JsonParser
        .parseString(ConfigDocuments.toJson(Kinds.config(List.of(object)))).getAsJsonObject();
    JsonElement single = document.entrySet().iterator().next().getValue().getAsJsonArray().get(0);
    if (format == Format.JSON) {
      return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(single)
          + "\n";
    }
    DumpSettings settings = DumpSettings.builder()
        .setDefaultFlowStyle(FlowStyle.BLOCK)
        .setIndent(2)
        .setIndicatorIndent(2)
        .setIndentWithIndicator(true)
        .setWidth(100)
        .build();
    return new Dump(settings).dumpToString(plain(single));
  }

  /** A JSON tree as maps, lists and scalars, numbers kept integral where they are. */
  private static Object plain(JsonElement e) {
    if (e.isJsonObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      e.getAsJsonObject().entrySet().forEach(x -> map.put(x.getKey(), plain(x.getValue())));
      return map;
    }
    if (e.isJsonArray()) {
      List<Object> list = new ArrayList<>();
      for (JsonElement item : (JsonArray) e) {
        list.add(plain(item));
      }
      return list;
    }
    if (e.isJsonNull()) {
      return null;
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return p.getAsBoolean();
    }
    if (p.isNumber()) {
      BigDecimal n = p.getAsBigDecimal();
      try {
        BigInteger whole = n.toBigIntegerExact();
        return whole.bitLength() < 64 ? (Object) whole.longValue() : whole;
      } catch (ArithmeticException notWhole) {
        return n.doubleValue();
      }
    }
    return p.getAsString();
  }
}
