package dev.wharf.cli.output;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** What {@code -o} asks for. */
public enum Format {
  TABLE,
  YAML,
  JSON;

  /** Reads {@code table}, {@code yaml}, {@code json}. */
  public static final class Converter implements ITypeConverter<Format> {
    @Override
    public Format convert(String value) {
      try {
        return Format.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException("'" + value + "' (expected: table, yaml or json)");
      }
    }
  }

  /** For shell completion. */
  public static final class Candidates implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return java.util.List.of("table", "yaml", "json").iterator();
    }
  }
}
