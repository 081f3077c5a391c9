/**
 * How a wharfctl command ends: the exit codes ({@link dev.wharf.cli.exit.ExitCode}), a {@link
 * dev.wharf.cli.exit.Failure} that says why in the user's words, and the one-line report of an
 * unexpected error. The bottom layer: it depends on nothing else of wharfctl.
 */
package dev.wharf.cli.exit;
