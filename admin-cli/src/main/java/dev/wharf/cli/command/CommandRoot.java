package dev.wharf.cli.command;

import dev.wharf.cli.client.Environment;

/**
 * The top of the command tree ({@code wharfctl} itself) as its subcommands see it: the world they
 * run in and whether {@code --debug} was given. Subcommands find it as their root's user object, so
 * they need not know the class that implements it.
 */
public interface CommandRoot {
  /** Variables, the home directory, how channels are opened, and time. */
  Environment environment();

  /** {@code --debug}: print the stack trace of an unexpected error. */
  boolean debug();

  /** Standard input ({@code -f -}) and whether a person can be asked on a terminal. */
  default Input input() {
    return Input.system();
  }
}
