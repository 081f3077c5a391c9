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
import java.util.LinkedHashMap;
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
   * nothing. A {@code metadata: {version: N}} the document carries is read and not returned: a
   * config file loaded by a node or standalone is the whole config whatever version it was read at.
   */
  public static Config load(String text, String sourceName) throws ConfigException {
    return loadDocument(text, sourceName, true).config();
  }

  /**
   * Reads (at most {@link DocumentLimits#MAX_BYTES} + 1 bytes of {@code in}, UTF-8) and validates a
   * document with its metadata; {@code in} is not closed. See {@link #loadDocument(String, String,
   * boolean)}.
   */
  public static Document loadDocument(InputStream in, String sourceName, boolean whole)
      throws ConfigException, IOException {
    return loadDocument(DocumentLimits.read(in), sourceName, whole);
  }

  /**
   * Reads and validates a document and its {@code metadata}. With {@code whole} the config is
   * validated as a whole config; without, each object is checked by itself and the listeners and
   * upstreams routes name are not looked up (a part of a config, merged into one that holds them).
   */
  public static Document loadDocument(String text, String sourceName, boolean whole)
      throws ConfigException {
    if (text.isBlank()) {
      throw new ConfigException(List.of(new ConfigError("", sourceName + " is empty")));
    }
    Parsed parsed = parse(text, sourceName);
    List<ConfigError> errors = new ArrayList<>(parsed.errors());
    List<ConfigError> invalid =
        whole
            ? ConfigValidator.validate(parsed.config())
            : ConfigValidator.validateObjects(parsed.config());
    for (ConfigError e : invalid) {
      errors.add(e.withLine(parsed.lineOf(e.path())));
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return new Document(parsed.config(), parsed.version());
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
    DocumentMetadata.Split split = new DocumentMetadata.Split(null, 0, List.of());
    try {
      Parser parser = new LimitedParser(new ParserImpl(settings, new StreamReader(settings, text)));
      Optional<Node> root = new Composer(settings, parser).getSingleNode();
      if (root.isPresent()) {
        split = DocumentMetadata.split(root.get());
        reader.read(split.config(), builder, "");
      }
    } catch (DocumentLimits.Exceeded e) {
      return Parsed.refused(e.error());
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
      return Parsed.refused(new ConfigError("", syntaxError(e), line));
    } catch (YamlEngineException e) {
      return Parsed.refused(new ConfigError("", e.getMessage()));
    }
    List<ConfigError> errors = new ArrayList<>(split.errors());
    errors.addAll(reader.errors());
    return new Parsed(builder.build(), errors, reader.lines(), split.version());
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
    return dumpYaml(MessageWriter.toTree(message));
  }

  private static String dumpYaml(Map<String, Object> tree) {
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

  public static String toJson(Config config) {
    return toJson((Message) config);
  }

  /**
   * {@code config} as a YAML document that records the version it was read at ({@code metadata:
   * {version: N}} first), so an apply of it can be refused when the config has moved on.
   */
  public static String toYaml(Config config, long version) {
    return dumpYaml(withVersion(config, version));
  }

  /** {@code config} as a JSON document that records the version it was read at. */
  public static String toJson(Config config, long version) {
    return dumpJson(withVersion(config, version));
  }

  private static Map<String, Object> withVersion(Config config, long version) {
    Map<String, Object> tree = new LinkedHashMap<>();
    tree.put(DocumentMetadata.KEY, Map.of("version", version));
    tree.putAll(MessageWriter.toTree(config));
    return tree;
  }

  /** Any config message as a JSON document of its fields, written as config files are. */
  public static String toJson(Message message) {
    return dumpJson(MessageWriter.toTree(message));
  }

  private static String dumpJson(Map<String, Object> tree) {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(tree) + "\n";
  }

  private static String syntaxError(MarkedYamlEngineException e) {
    String problem = e.getProblem() == null ? "" : e.getProblem();
    String context = e.getContext() == null ? "" : e.getContext() + ": ";
    return "not valid YAML: " + context + problem;
  }

  /**
   * A valid document: its config, and the config version its {@code metadata} records (0 when it
   * records none).
   */
  public record Document(Config config, long version) {}

  /**
   * A document as read: the config, the reading errors, where each field path stood, and the
   * version its {@code metadata} records (0: none).
   */
  public record Parsed(
      Config config, List<ConfigError> errors, Map<String, Integer> lines, long version) {
    public Parsed {
      errors = List.copyOf(errors);
      lines = Map.copyOf(lines);
    }

    /** A document that could not be read at all, for this one reason. */
    static Parsed refused(ConfigError error) {
      return new Parsed(Config.getDefaultInstance(), List.of(error), Map.of(), 0);
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
