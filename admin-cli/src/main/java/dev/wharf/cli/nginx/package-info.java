/**
 * {@code import-nginx}'s translation of an nginx config into a Wharf config: the parser, the
 * translators, and a verdict on every directive. Runs locally, without a server.
 *
 * <p>Depends on the config model and its helpers only; no other package of {@code wharfctl}.
 */
package dev.wharf.cli.nginx;
