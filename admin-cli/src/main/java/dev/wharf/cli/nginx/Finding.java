package dev.wharf.cli.nginx;

/**
 * The verdict on one directive of the imported config.
 *
 * @param block the enclosing block whose verdict this one shares and is reported with, or null when
 *     it is reported (or translated) on its own
 */
public record Finding(Directive directive, Verdict verdict, Directive block) {}
