package dev.wharf.cli.command;

import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.nginx.ImportReport;
import dev.wharf.cli.nginx.NginxImport;
import dev.wharf.cli.nginx.NginxSyntaxException;
import dev.wharf.cli.nginx.Origin;
import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigSummary;
import dev.wharf.config.ConfigValidator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Translates an nginx config into a Wharf config document, locally. Every directive is translated,
 * not needed, or reported with its file and line; the result is checked with the validator every
 * part of Wharf runs before it is written.
 */
@Command(
    name = "import-nginx",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Translate an nginx config into a Wharf config document; no server needed.",
      "Directives that are not translated are listed, with file and line, at the top of",
      "the document and on stderr."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl import-nginx /etc/nginx/nginx.conf -o wharf.yaml",
      "  wharfctl import-nginx etc/nginx/nginx.conf --include-root . -o wharf.yaml",
      "",
      "Exit codes: 0 imported (also with directives not translated, unless --strict),",
      "1 unreadable or invalid nginx config, a result that does not validate, or --strict",
      "with directives not translated (nothing is written then)."
    })
public final class ImportNginxCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NGINX_CONF", description = "The nginx config file.")
  private Path file;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the YAML here (atomically) instead of to stdout.")
  private Path output;

  @Option(
      names = "--include-root",
      paramLabel = "DIR",
      description =
          "Read absolute include paths below DIR, as if DIR were / (for a copy of "
              + "a server's files).")
  private Path includeRoot;

  @Option(
      names = "--strict",
      description = "Exit 1, writing nothing, when any directive is not translated.")
  private boolean strict;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    NginxImport.Result result;
    try {
      result = NginxImport.read(file, Optional.ofNullable(includeRoot));
    } catch (NoSuchFileException e) {
      err.println("error: " + file + ": no such file");
      return ExitCode.INVALID_INPUT;
    } catch (IOException e) {
      err.println("error: cannot read " + file + ": " + e.getMessage());
      return ExitCode.INVALID_INPUT;
    } catch (NginxSyntaxException e) {
      err.println("error: " + e.getMessage());
      return ExitCode.INVALID_INPUT;
    }
    ImportReport report = new ImportReport(result.findings());
    report.warnings().forEach(err::println);
    List<ConfigError> errors = ConfigValidator.validate(result.config());
    if (!errors.isEmpty()) {
      err.println(
          "error: the imported config does not validate ("
              + ConfigError.count(errors.size())
              + "); nothing is written");
      for (ConfigError e : errors) {
        err.println("  " + e + from(result, e.path()));
      }
      return ExitCode.INVALID_INPUT;
    }
    int notTranslated = report.lines(Kind.NOT_TRANSLATED).size();
    if (strict && notTranslated > 0) {
      err.println(
          "error: --strict: "
              + notTranslated
              + (notTranslated == 1 ? " directive is" : " directives are")
              + " not translated; nothing is written");
      return ExitCode.INVALID_INPUT;
    }
    String yaml = ConfigDocuments.toYaml(result.config());
    String document = report.header(file.toString()) + yaml + (yaml.endsWith("\n") ? "" : "\n");
    if (output == null) {
      out.print(document);
      out.flush();
    } else {
      try {
        writeAtomically(output, document);
      } catch (IOException e) {
        err.println("error: cannot write " + output + ": " + e.getMessage());
        return ExitCode.INVALID_INPUT;
      }
    }
    err.println(
        "imported "
            + file
            + ": "
            + ConfigSummary.of(result.config())
            + "; directives: "
            + notTranslated
            + " not translated, "
            + report.lines(Kind.CHECK).size()
            + " to check, "
            + report.lines(Kind.NOT_NEEDED).size()
            + " not needed"
            + (output == null ? "" : "; written to " + output));
    return ExitCode.OK;
  }

  /** {@code (from site.conf:14)} for an error about an object made from that line. */
  private static String from(NginxImport.Result result, String path) {
    int end = path.indexOf(']');
    Origin origin = end < 0 ? null : result.origins().get(path.substring(0, end + 1));
    return origin == null ? "" : " (from " + origin + ")";
  }

  /** Readers of {@code target} see the old document or the new one, never half of one. */
  private static void writeAtomically(Path target, String text) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
