/**
 * {@code wharfctl}, the operator's command-line tool: {@link dev.wharf.cli.WharfCtl}, the entry
 * point, holds the global options and lists the subcommands.
 *
 * <p>The packages below it are layered; each may use only those listed after it: {@link
 * dev.wharf.cli.command} (the subcommands), {@link dev.wharf.cli.client} (the Admin API client and
 * where it connects), {@link dev.wharf.cli.output} (what the user reads), {@link
 * dev.wharf.cli.exit} (exit codes and failures). {@link dev.wharf.cli.nginx} (the nginx importer)
 * is used by {@code command} only and uses none of them. Nothing below this package depends on it,
 * and the packages form no cycle; {@code WharfCtlLayersTest} checks all of this.
 */
package dev.wharf.cli;
