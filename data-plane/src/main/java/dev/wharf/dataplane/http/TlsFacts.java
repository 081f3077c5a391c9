package dev.wharf.dataplane.http;

import io.netty.util.AttributeKey;

/**
 * What a finished TLS handshake established on a client connection, for the {@code $ssl_*}
 * variables. Set once on the channel when the handshake succeeds; a plain connection has none.
 *
 * @param protocol {@code $ssl_protocol}, e.g. {@code TLSv1.3}
 * @param cipher {@code $ssl_cipher}, the OpenSSL name of the suite, as nginx shows it
 * @param serverName {@code $ssl_server_name}, the SNI name the client sent, or ""
 * @param clientSubject {@code $ssl_client_s_dn}, RFC 2253, or "" without a client certificate
 * @param clientVerify {@code $ssl_client_verify}: {@code SUCCESS}, {@code FAILED:reason} or {@code
 *     NONE}
 */
public record TlsFacts(
    String protocol, String cipher, String serverName, String clientSubject, String clientVerify) {
  /** The channel attribute holding the facts of a TLS connection. */
  public static final AttributeKey<TlsFacts> KEY = AttributeKey.valueOf("wharf.tls-facts");
}
