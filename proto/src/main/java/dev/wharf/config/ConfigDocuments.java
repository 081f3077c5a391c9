package dev.wharf.config;

import com.google.gson.GsonBuilder;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * The declarative document users write, in YAML or JSON (JSON is read as the YAML it also is), to
 * and from the {@link Config} message. Every part of Wharf reads configs through here, so a
 * document means the same thing to the CLI, the control plane and a node.
 *
 * <pre>{@code
 * Config config = ConfigDocuments.load(Path.of("wharf.yaml"));   // parse + validate
 * String yaml = ConfigDocuments.toYaml(config);                     // and back, without loss
 * }</pre>
 */
public final class ConfigDocuments {
  private static final int READ_BUFFER_CHARS = 1 << 20;

  private ConfigDocuments() {}

  /**
   * Reads and validates {@code file}; every problem is in the exception, each with its line. A file
   * larger than {@link DocumentLimits#MAX_BYTES} is refused after reading one byte more.
   */
  public static Config load(Path file) throws ConfigException, IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return load(in, file.toString());
    }
  }

  /**
   * Reads (at most {@link DocumentLimits#MAX_BYTES} + 1 bytes of {@code in}, UTF-8) and validates a
   * document; {@code in} is not closed.
   */
  public static Config load(InputStream in, String sourceName) throws ConfigException, IOException {
    return load(DocumentLimits.read(in), sourceName);
  }

  /**
   * Reads and validates a document; every problem is in the exception, each with its line. An empty
   * document is refused: a file caught half-written, or a mistake, must never replace a config with
   * nothing.
   */
  public static Config load(String text, String sourceName) throws ConfigException {
    if (text.isBlank()) {
      throw new ConfigException(List.of(new ConfigError("", sourceName + " is empty")));
    }
    Parsed parsed = parse(text, sourceName);
    List<ConfigError> errors = new ArrayList<>(parsed.errors());
    for (ConfigError e : ConfigValidator.validate(parsed.config())) {
      errors.add(e.withLine(parsed.lineOf(e.path())));
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return parsed.config();
  }

  /**
   * Reads a document without validating it. The result holds what could be read and the errors of
   * what could not (unknown fields, values of the wrong type).
   */
  public static Parsed parse(String text, String sourceName) {
    if (DocumentLimits.tooLarge(text)) {
      return Parsed.refused(DocumentLimits.tooLarge());
    }
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(sourceName)
            .setSchema(new CoreSchema())
            .setAllowRecursiveKeys(false)
            // Backstops: LimitedParser refuses first, with a line. The default code point limit
            // (3 MiB) would refuse a 10,000-route document.
            .setMaxAliasesForCollections(DocumentLimits.MAX_COLLECTION_ALIASES)
            .setCodePointLimit(DocumentLimits.MAX_BYTES)
            // The reader copies its look-ahead each time it refills its buffer, so one long token
            // (a comment, a scalar) costs its length squared over the buffer size: 130 s for a
            // 16 MB comment with the default 1 KiB, about a second with this.
            .setBufferSize(Math.min(text.length() + 1, READ_BUFFER_CHARS))
            .build();
    Config.Builder builder = Config.newBuilder();
    MessageReader reader = new MessageReader();
    try {
      Parser parser = new LimitedParser(new ParserImpl(settings, new StreamReader(settings, text)));
      Optional<Node> root = new Composer(settings, parser).getSingleNode();
      root.ifPresent(node -> reader.read(node, builder, ""));
    } catch (DocumentLimits.Exceeded e) {
      return Parsed.refused(e.error());
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
      return Parsed.refused(new ConfigError("", syntaxError(e), line));
    } catch (YamlEngineException e) {
      return Parsed.refused(new ConfigError("", e.getMessage()));
    }
    return new Parsed(builder.build(), reader.errors(), reader.lines());
  }

  /**
   * One value of {@code field} (one element of a repeated field) as a document holds it: maps,
   * lists and scalars, durations as {@code 30s}, sizes as {@code 16k}, enums by their document
   * names. For tools that show parts of a config, such as a diff.
   */
  public static Object valueTree(FieldDescriptor field, Object value) {
    return MessageWriter.value(field, value);
  }

  public static String toYaml(Config config) {
    return toYaml((Message) config);
  }

  /**
   * Any config message (a whole config, or one listener, upstream or route) as a YAML document of
   * its fields, written as config files are.
   */
  public static String toYaml(Message message) {
    DumpSettings settings =
        DumpSettings.builder()
            .setDefaultFlowStyle(FlowStyle.BLOCK)
            .setIndent(2)
            .setIndicatorIndent(2)
            .setIndentWithIndicator(true)
            .setWidth(100)
            .build();
    return new Dump(settings).dumpToString(MessageWriter.toTree(message));
  }

  public static String toJson(Config config) {
    return toJson((Message) config);
  }

  /** Any config message as a JSON document of its fields, written as config files are. */
  public static String toJson(Message message) {
    return new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .create()
            .toJson(MessageWriter.toTree(message))
        + "\n";
  }

  private static String syntaxError(MarkedYamlEngineException e) {
    String problem = e.getProblem() == null ? "" : e.getProblem();
    String context = e.getContext() == null ? "" : e.getContext() + ": ";
    return "not valid YAML: " + context + problem;
  }

  /** A document as read: the config, the reading errors, and where each field path stood. */
  public record Parsed(Config config, List<ConfigError> errors, Map<String, Integer> lines) {
    public Parsed {
      errors = List.copyOf(errors);
      lines = Map.copyOf(lines);
    }

    /** A document that could not be read at all, for this one reason. */
    static Parsed refused(ConfigError error) {
      return new Parsed(Config.getDefaultInstance(), List.of(error), Map.of());
    }

    /**
     * The line of {@code path}, or of the nearest enclosing path that has one ({@code
     * routes[2].proxy.upstream} -> {@code routes[2].proxy} -> {@code routes[2]}).
     */
    public int lineOf(String path) {
      String p = path;
      while (!p.isEmpty()) {
        Integer line = lines.get(p);
        if (line != null) {
          return line;
        }
        int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
        p = cut < 0 ? "" : p.substring(0, cut);
      }
      return 0;
    }
  }
}
