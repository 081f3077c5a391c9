package dev.wharf.cli.command;

import dev.wharf.cli.client.Contexts;
import dev.wharf.cli.client.Contexts.Entry;
import dev.wharf.cli.client.Contexts.View;
import dev.wharf.cli.client.Environment;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Format;
import dev.wharf.cli.output.Table;
import dev.wharf.cli.output.Trees;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wharfctl config}: the contexts file ({@code ~/.config/wharf/wharfctl.yaml}, or {@code
 * WHARFCTL_CONFIG}) shown and switched, as kubectl's {@code config} does for a kubeconfig. No
 * server is asked; no token is read or printed (a context names a token file, and only its path is
 * shown).
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = "Show the contexts file, list its contexts, or switch the current one.",
    subcommands = {
      ConfigCommand.ViewCommand.class,
      ConfigCommand.GetContextsCommand.class,
      ConfigCommand.UseContextCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  wharfctl config get-contexts",
      "  wharfctl config use-context prod",
      "  wharfctl config view -o json",
      "",
      "Exit codes: 0 done, 1 no such context, or a contexts file that cannot be read or written."
    })
public final class ConfigCommand {
  /** What the three share: the environment, and one message and exit code for a failure. */
  abstract static class ContextsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    abstract void run(Environment env, PrintWriter out);

    @Override
    public final Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try {
        run(((CommandRoot) spec.root().userObject()).environment(), out);
        return ExitCode.OK;
      } catch (Failure f) {
        f.print(spec.commandLine().getErr());
        return f.exitCode();
      } finally {
        out.flush();
        spec.commandLine().getErr().flush();
      }
    }
  }

  @Command(
      name = "view",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
      description = {
        "Print the contexts file as wharfctl reads it: its path, current-context, and each "
            + "context with its paths resolved. Tokens are never shown: only the token file's path."
      },
      footer = {"", "Example:", "  wharfctl config view -o json"})
  static final class ViewCommand extends ContextsCommand {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        converter = Format.Converter.class,
        description = "yaml (default) or json.")
    private Format format;

    @Override
    void run(Environment env, PrintWriter out) {
      if (format != null && format != Format.YAML && format != Format.JSON) {
        throw Failure.invalidInput(
            "config view prints yaml or json, not " + format.name().toLowerCase(Locale.ROOT));
      }
      View view = Contexts.read(env);
      Map<String, Object> tree = new LinkedHashMap<>();
      tree.put("path", view.path().toString());
      if (!view.exists()) {
        tree.put("exists", false);
      }
      view.current().ifPresent(c -> tree.put("current-context", c));
      List<Object> contexts = new ArrayList<>();
      for (Entry e : view.contexts()) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", e.name());
        if (!e.servers().isEmpty()) {
          c.put("servers", e.servers());
        }
        e.tokenFile().ifPresent(p -> c.put("token-file", p.toString()));
        e.tlsCa().ifPresent(p -> c.put("tls-ca", p.toString()));
        contexts.add(c);
      }
      tree.put("contexts", contexts);
      out.print(Trees.print(tree, format == Format.JSON ? Format.JSON : Format.YAML));
    }
  }

  @Command(
      name = "get-contexts",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
      description = "List the contexts; the current one is marked with *.",
      footer = {"", "Example:", "  wharfctl config get-contexts"})
  static final class GetContextsCommand extends ContextsCommand {
    @Override
    void run(Environment env, PrintWriter out) {
      View view = Contexts.read(env);
      if (view.contexts().isEmpty()) {
        out.println("no contexts in " + view.path());
        return;
      }
      Table table = new Table("CURRENT", "NAME", "SERVERS", "TOKEN FILE", "TLS CA");
      for (Entry e : view.contexts()) {
        table.row(
            e.current() ? "*" : "",
            e.name(),
            String.join(",", e.servers()),
            e.tokenFile().map(Path::toString).orElse(""),
            e.tlsCa().map(Path::toString).orElse(""));
      }
      table.print(out);
    }
  }

  @Command(
      name = "use-context",
      mixinStandardHelpOptions = true,
      exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
      description = "Make NAME the current context (the file's current-context line).",
      footer = {"", "Example:", "  wharfctl config use-context prod"})
  static final class UseContextCommand extends ContextsCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    private String name;

    @Override
    void run(Environment env, PrintWriter out) {
      Path path = Contexts.use(env, name);
      out.println("Switched to context \"" + name + "\" (" + path + ").");
    }
  }
}
