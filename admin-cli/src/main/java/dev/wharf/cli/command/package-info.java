/**
 * The picocli subcommands of {@code wharfctl}, one class each, and what they share: {@link
 * dev.wharf.cli.command.AdminCommand} (resolve the connection, run, turn a failure into one message
 * and an exit code) and the reading of config documents with the one validator. A command reads its
 * collaborators from its imports.
 *
 * <p>May depend on {@link dev.wharf.cli.client}, {@link dev.wharf.cli.output}, {@link
 * dev.wharf.cli.exit} and {@link dev.wharf.cli.nginx}; never on {@link dev.wharf.cli.WharfCtl}: it
 * reaches the root command through {@link dev.wharf.cli.command.CommandRoot}.
 */
package dev.wharf.cli.command;
