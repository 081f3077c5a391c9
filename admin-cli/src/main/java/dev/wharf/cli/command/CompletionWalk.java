package dev.wharf.cli.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Where a word being completed stands in the command tree: which command it belongs to, and whether
 * it is a subcommand, an option name, an option's value or the n-th parameter. It reads the words
 * the way picocli parses them: a command that has taken a parameter takes no subcommand, so in
 * {@code wharfctl get route <TAB>} the word {@code route} is get's KIND, not the {@code route}
 * command (whose {@code set} picocli's generated script offered there).
 *
 * @param command the command the word is for
 * @param positionals the parameters given to it before the word
 * @param valueOf the option whose value the word is, if it is one
 */
record CompletionWalk(CommandSpec command, List<String> positionals, Optional<OptionSpec> valueOf) {
  /** Walks {@code before}, the words typed after {@code wharfctl} and before the current one. */
  static CompletionWalk of(CommandSpec root, List<String> before) {
    CommandSpec spec = root;
    List<String> positionals = new ArrayList<>();
    OptionSpec pending = null;
    boolean optionsEnded = false;
    for (String word : before) {
      if (pending != null) {
        pending = word.equals("=") ? pending : null; // bash splits --output=yaml at '='
        continue;
      }
      if (!optionsEnded && word.equals("--")) {
        optionsEnded = true;
      } else if (!optionsEnded && word.startsWith("-") && word.length() > 1) {
        OptionSpec option = spec.findOption(word.contains("=") ? word.split("=", 2)[0] : word);
        if (option != null && !word.contains("=") && takesValue(option)) {
          pending = option;
        }
      } else if (positionals.isEmpty() && spec.subcommands().containsKey(word)) {
        spec = spec.subcommands().get(word).getCommandSpec();
      } else {
        positionals.add(word);
      }
    }
    return new CompletionWalk(spec, List.copyOf(positionals), Optional.ofNullable(pending));
  }

  /** The name the word is completed as: the command's, or the command's and its parameter's. */
  String commandName() {
    return command.qualifiedName(" ").replaceFirst("^\\S+\\s*", "");
  }

  /** The parameter the next positional word fills, if the command has one there. */
  Optional<PositionalParamSpec> nextParameter() {
    int index = positionals.size();
    return command.positionalParameters().stream()
        .filter(p -> !p.hidden() && p.index().contains(index))
        .findFirst();
  }

  /** The names a word starting with {@code -} may complete to: the command's visible options. */
  List<String> optionNames() {
    List<String> names = new ArrayList<>();
    for (OptionSpec o : command.options()) {
      if (!o.hidden()) {
        names.add(o.longestName());
      }
    }
    return names;
  }

  /** The subcommands the word may name, when the command takes one here. */
  List<String> subcommands() {
    if (!positionals.isEmpty()) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    command
        .subcommands()
        .forEach(
            (name, sub) -> {
              if (!sub.getCommandSpec().usageMessage().hidden()) {
                names.add(name);
              }
            });
    return names;
  }

  /** Whether {@code arg} names a file ({@code --file}, import-nginx's NGINX_CONF). */
  static boolean isFile(ArgSpec arg) {
    Class<?> type = arg.type();
    return type == java.nio.file.Path.class || type == java.io.File.class;
  }

  private static boolean takesValue(OptionSpec option) {
    return option.arity().max() > 0;
  }
}
