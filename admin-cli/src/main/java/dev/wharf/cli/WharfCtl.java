package dev.wharf.cli;

import dev.wharf.cli.client.Environment;
import dev.wharf.cli.command.ApplyCommand;
import dev.wharf.cli.command.CommandRoot;
import dev.wharf.cli.command.CompleteCommand;
import dev.wharf.cli.command.CompletionCommand;
import dev.wharf.cli.command.ConfigCommand;
import dev.wharf.cli.command.DeleteCommand;
import dev.wharf.cli.command.DiffCommand;
import dev.wharf.cli.command.DrainCommand;
import dev.wharf.cli.command.EditCommand;
import dev.wharf.cli.command.ExplainCommand;
import dev.wharf.cli.command.GetCommand;
import dev.wharf.cli.command.HealthCommand;
import dev.wharf.cli.command.HistoryCommand;
import dev.wharf.cli.command.ImportNginxCommand;
import dev.wharf.cli.command.Input;
import dev.wharf.cli.command.NodesCommand;
import dev.wharf.cli.command.RollbackCommand;
import dev.wharf.cli.command.RolloutCommand;
import dev.wharf.cli.command.RouteCommand;
import dev.wharf.cli.command.ValidateCommand;
import dev.wharf.cli.command.VersionCommand;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Unexpected;
import dev.wharf.common.BuildInfo;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code wharfctl}: the operator's tool, a client of the control plane's Admin API. Exit codes, the
 * same for every command, are {@link ExitCode}'s: 0 ok, 1 invalid input, 2 conflict, 3 Admin API
 * unreachable or credentials refused, 4 rollout refused or timed out.
 *
 * <p>Every command is run through {@code new CommandLine(new WharfCtl(...))}; the {@link
 * Environment} given here is what the commands use for variables, channels and time.
 */
@Command(
    name = "wharfctl",
    mixinStandardHelpOptions = true,
    versionProvider = WharfCtl.Version.class,
    description = "Operate a Wharf fleet through the control plane's Admin API.",
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    exitCodeOnExecutionException = ExitCode.INVALID_INPUT,
    subcommands = {
      ApplyCommand.class,
      DiffCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      RouteCommand.class,
      HistoryCommand.class,
      RollbackCommand.class,
      NodesCommand.class,
      RolloutCommand.class,
      HealthCommand.class,
      DrainCommand.class,
      ValidateCommand.class,
      ImportNginxCommand.class,
      CompletionCommand.class,
      CommandLine.HelpCommand.class,
      CompleteCommand.class,
      EditCommand.class,
      ExplainCommand.class,
      VersionCommand.class,
      ConfigCommand.class
    },
    footer = {
      "",
      "Connection (every command but validate, import-nginx, completion, explain, config",
      "and version --client). Each setting",
      "comes from its flag, else its environment variable, else the context, else the",
      "default:",
      "  --server HOST:PORT[,...]  WHARF_SERVER; default 127.0.0.1:9700. Several are",
      "                            tried in turn while one is unreachable.",
      "  --token TOKEN             WHARF_TOKEN; or --token-file FILE, or the",
      "                            context's token-file",
      "  --tls-ca FILE             WHARF_TLS_CA; plaintext without one",
      "  --context NAME            a context of ~/.config/wharf/wharfctl.yaml (path:",
      "                            WHARFCTL_CONFIG); default its current-context",
      "  --timeout DURATION        deadline of each call (default 10s)",
      "",
      "Exit codes:",
      "  0  done",
      "  1  invalid input: a document that does not validate, a change the control",
      "     plane refused as invalid, no such object, an object that already exists,",
      "     a misused command or flag; also an unexpected error",
      "  2  conflict: the config changed since it was read; nothing was written",
      "  3  the Admin API could not be reached (no server answered, or not within",
      "     --timeout), or it refused the credentials",
      "  4  rollout: a node refused the version, or --wait timed out",
      "",
      "Examples:",
      "  wharfctl apply -f wharf.yaml --server cp-1:9700,cp-2:9700",
      "  wharfctl import-nginx /etc/nginx/nginx.conf -o wharf.yaml"
    })
public final class WharfCtl implements CommandRoot {
  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "On an unexpected error, also print its stack trace.")
  boolean debug;

  private final Environment environment;
  private final Input input;

  public WharfCtl() {
    this(Environment.system());
  }

  WharfCtl(Environment environment) {
    this(environment, Input.system());
  }

  WharfCtl(Environment environment, Input input) {
    this.environment = environment;
    this.input = input;
  }

  @Override
  public Input input() {
    return input;
  }

  @Override
  public Environment environment() {
    return environment;
  }

  @Override
  public boolean debug() {
    return debug;
  }

  /**
   * gRPC logs through java.util.logging, not SLF4J: a name that does not resolve would print a
   * WARNING with a stack trace beside wharfctl's own one-line error. Held here so the logger,
   * weakly referenced by java.util.logging, keeps its level.
   */
  private static final Logger GRPC_LOG = Logger.getLogger("io.grpc");

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    GRPC_LOG.setLevel(Level.SEVERE);
    return commandLine(Environment.system(), Input.system()).execute(args);
  }

  /**
   * The command tree as {@link #main} runs it, with its error handlers, in {@code environment} and
   * reading {@code input} for {@code -f -}.
   */
  static CommandLine commandLine(Environment environment, Input input) {
    return new CommandLine(new WharfCtl(environment, input))
        .setExecutionExceptionHandler(WharfCtl::internalError)
        .setParameterExceptionHandler(UsageErrors::report);
  }

  private static int internalError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    boolean debug = ((WharfCtl) cmd.getCommandSpec().root().userObject()).debug;
    return Unexpected.report(e, debug, cmd.getErr());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"wharfctl " + BuildInfo.version(WharfCtl.class), BuildInfo.runtime()};
    }
  }
}
