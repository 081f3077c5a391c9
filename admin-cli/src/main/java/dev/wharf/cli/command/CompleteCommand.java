package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.client.ConnectionOptions;
import dev.wharf.cli.exit.ExitCode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wharfctl __complete -- WORD... CURRENT}: what the shell scripts of {@code wharfctl
 * completion} call on TAB. Prints the candidates for CURRENT, one a line, that start with it; or
 * the single line {@code :file} when CURRENT is a file name (the shell completes those itself).
 * Names of listeners, upstreams, routes and nodes and the versions in the history come from the
 * Admin API, reached with the connection flags among the words (else the environment and the
 * context, as every command). Nothing is ever printed to stderr and the exit code is always 0: a
 * TAB that finds nothing offers nothing.
 */
@Command(name = "__complete", hidden = true, description = "Shell completion candidates.")
public final class CompleteCommand implements Callable<Integer> {
  /** How long a TAB waits for the Admin API when no --timeout is among the words. */
  static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(3);

  static final String FILE = ":file";

  @Spec private CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "WORD")
  private List<String> words = new ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<String> typed = words.isEmpty() ? List.of("") : words;
    String current = typed.get(typed.size() - 1);
    if (current.equals("=")) {
      current = "";
    }
    CompletionWalk walk = CompletionWalk.of(spec.root(), typed.subList(0, typed.size() - 1));
    for (String candidate : candidates(walk, current, typed)) {
      out.println(candidate);
    }
    out.flush();
    return ExitCode.OK;
  }

  private List<String> candidates(CompletionWalk walk, String current, List<String> typed) {
    Set<String> all = new LinkedHashSet<>();
    if (walk.valueOf().isPresent()) {
      if (CompletionWalk.isFile(walk.valueOf().get())) {
        return List.of(FILE);
      }
      all.addAll(values(walk, walk.valueOf().get(), typed));
    } else if (current.startsWith("-")) {
      all.addAll(walk.optionNames());
    } else {
      all.addAll(walk.subcommands());
      Optional<? extends ArgSpec> parameter = walk.nextParameter();
      if (all.isEmpty() && parameter.isPresent()) {
        if (CompletionWalk.isFile(parameter.get())) {
          return List.of(FILE);
        }
        all.addAll(values(walk, parameter.get(), typed));
      }
    }
    return all.stream().filter(c -> c.startsWith(current)).toList();
  }

  private List<String> values(CompletionWalk walk, ArgSpec arg, List<String> typed) {
    Iterable<String> fixed = arg.completionCandidates();
    if (fixed != null) {
      List<String> out = new ArrayList<>();
      fixed.forEach(out::add);
      return out;
    }
    try {
      Optional<ServerNames.Lookup> lookup = ServerNames.lookupFor(walk, arg);
      if (lookup.isEmpty()) {
        return List.of();
      }
      try (AdminClient client = client(typed)) {
        return lookup.get().names(client);
      }
    } catch (RuntimeException e) {
      return List.of(); // unreachable, refused, a bad flag: a TAB offers nothing, says nothing
    }
  }

  private AdminClient client(List<String> typed) {
    Connecting connecting = new Connecting();
    new CommandLine(connecting).parseArgs(ServerNames.connectionArgs(typed));
    var environment = ((CommandRoot) spec.root().userObject()).environment();
    return new AdminClient(
        connecting.connection.resolve(environment),
        environment.transport(),
        connecting.connection.timeout().orElse(LOOKUP_TIMEOUT));
  }

  /** Holds the connection flags found among the words. */
  @Command(name = "connection")
  static final class Connecting {
    @Mixin ConnectionOptions connection;
  }
}
