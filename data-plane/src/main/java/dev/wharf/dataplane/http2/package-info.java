/**
 * HTTP/2 towards clients, below the exchanges: what turns a stream's frames into the HTTP objects
 * an exchange reads and back (RFC 8441's extended CONNECT as a WebSocket handshake, the {@code 200}
 * that answers it, a WebSocket stream's DATA as bytes), and the connection's own settings and
 * defences from {@link dev.wharf.config.Http2Options}. The pipelines themselves are put together in
 * {@code server}.
 */
package dev.wharf.dataplane.http2;
