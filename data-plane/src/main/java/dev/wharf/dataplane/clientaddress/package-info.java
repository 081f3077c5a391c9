/**
 * Where a client's address comes from when Wharf runs behind another balancer: the PROXY protocol
 * header a trusted balancer sends first on a connection, and the forwarded-address header (nginx
 * {@code realip}) of a request from a trusted peer. {@link
 * dev.wharf.dataplane.clientaddress.ClientAddresses#resolve} is the one place that says what {@code
 * $remote_addr} is; everything that uses it (access log, header rules, hash keys) reads it from
 * there. Kernel layer: depends on node, metrics and the config model only.
 */
package dev.wharf.dataplane.clientaddress;
