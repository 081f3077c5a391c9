/**
 * What the user reads, and the words the command line uses for it: tables, config objects as YAML
 * or JSON, the lines of a change, durations and times, object kinds and {@code -o} formats (with
 * the picocli converters that read them back).
 *
 * <p>May depend on {@link dev.wharf.cli.exit} only (an unknown kind is a failure, exit 1); never on
 * the Admin API client, the commands or {@link dev.wharf.cli.WharfCtl}.
 */
package dev.wharf.cli.output;
