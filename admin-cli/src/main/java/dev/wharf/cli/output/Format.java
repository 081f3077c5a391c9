package dev.wharf.cli.output;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** What {@code -o} asks for. */
public enum Format {
  TABLE,
  YAML,
  JSON,
  /** The table with more columns. */
  WIDE,
  /** {@code kind/name}, one a line. */
  NAME,
  /** {@code jsonpath=TEMPLATE} (the template is the command's, see {@link JsonPath}). */
  JSONPATH;

  /** Reads {@code table}, {@code wide}, {@code name}, {@code yaml}, {@code json}. */
  public static final class Converter implements ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      try {
        Format f = Format.valueOf(value.toUpperCase(Locale.ROOT));
        if (f != JSONPATH) {
          return f;
        }
      } catch (IllegalArgumentException e) {
        // said below
      }
      throw new TypeConversionException(
          "'" + value + "' (expected: table, wide, name, yaml, json or jsonpath=TEMPLATE)");
    }
  }

  /** For shell completion. */
  public static final class Candidates implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("table", "wide", "name", "yaml", "json", "jsonpath=").iterator();
    }
  }
}
