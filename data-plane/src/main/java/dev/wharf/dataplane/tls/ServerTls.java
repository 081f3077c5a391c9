package dev.wharf.dataplane.tls;

import io.netty.handler.ssl.SslContext;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled TLS setup of one listener: what a handshake reads. Immutable; built off the event
 * loops by {@link ServerTlsFactory} and swapped in whole ({@link TlsTerminator#swap}).
 *
 * @param names the SNI table
 * @param contexts every context of the table, the default first, for session and ticket settings
 * @param ocsp DER OCSP responses to staple, by context (identity); absent: no stapling
 * @param handshakeTimeoutMillis a handshake not finished within this closes the connection
 * @param maxHandshakes handshakes in progress on the listener, per node; more are closed at once
 * @param recordSize the largest TLS record written (plaintext bytes per record)
 * @param preferServerCiphers the server's cipher order wins over the client's
 * @param verifiesClients client certificates are requested
 */
record ServerTls(
    ServerNames names,
    List<SslContext> contexts,
    Map<SslContext, byte[]> ocsp,
    long handshakeTimeoutMillis,
    int maxHandshakes,
    int recordSize,
    boolean preferServerCiphers,
    boolean verifiesClients) {
  ServerTls {
    contexts = List.copyOf(contexts);
    ocsp = new IdentityHashMap<>(ocsp);
  }

  /** The staple for handshakes served by {@code context}, or null. */
  byte[] staple(SslContext context) {
    return ocsp.get(context);
  }
}
