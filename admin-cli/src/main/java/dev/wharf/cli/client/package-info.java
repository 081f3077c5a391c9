/**
 * The Admin API client: where the Admin API is and how to authenticate (flags, environment
 * variables, the contexts file), the channels to it, calls that try each server in turn, and gRPC
 * errors turned into what the user reads and the exit code. Also the {@link
 * dev.wharf.cli.client.Environment} every command runs in.
 *
 * <p>May depend on {@link dev.wharf.cli.output} (durations in messages) and {@link
 * dev.wharf.cli.exit}; never on the commands or {@link dev.wharf.cli.WharfCtl}.
 */
package dev.wharf.cli.client;
