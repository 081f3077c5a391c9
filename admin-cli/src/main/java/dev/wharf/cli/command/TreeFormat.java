package dev.wharf.cli.command;

import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Format;
import java.util.Locale;
import picocli.CommandLine.Option;

/** {@code -o table|yaml|json} of the commands that print a table or a document (nodes, history). */
final class TreeFormat {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      converter = Format.Converter.class,
      description = "table (default), yaml or json.")
  private Format format;

  /** TABLE, YAML or JSON; any other format is a Failure (exit 1) naming {@code command}. */
  Format get(String command) {
    if (format == null) {
      return Format.TABLE;
    }
    if (format != Format.TABLE && format != Format.YAML && format != Format.JSON) {
      throw Failure.invalidInput(
          command + " prints a table, yaml or json, not " + format.name().toLowerCase(Locale.ROOT));
    }
    return format;
  }
}
