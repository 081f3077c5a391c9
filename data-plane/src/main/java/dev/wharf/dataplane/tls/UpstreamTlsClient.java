package dev.wharf.dataplane.tls;

import dev.wharf.config.Addresses;
import dev.wharf.proto.config.v1.UpstreamTls;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The TLS side of one upstream's connections: the client context built from its {@code tls}
 * settings when the config was applied (off the event loops), shared by all of its endpoints and
 * every event loop. Compiled snapshots keep the same instance while the settings stay the same, so
 * pooled connections and cached sessions survive a config apply that does not touch them.
 *
 * <p>Each connection gets its own {@link SslHandler} from {@link #newHandler}, created with the
 * peer's name and port so the context's session cache resumes sessions per {@code host:port}.
 */
public final class UpstreamTlsClient {
  private final UpstreamTls settings;
  private final SslContext context;
  private final String engine;

  UpstreamTlsClient(UpstreamTls settings, SslContext context, String engine) {
    this.settings = settings;
    this.context = context;
    this.engine = engine;
  }

  /** The settings this client was built from. */
  public UpstreamTls settings() {
    return settings;
  }

  /** {@code openssl} or {@code jdk}: the TLS engine in use. */
  public String engine() {
    return engine;
  }

  /** The name sent as SNI and verified: {@code server_name}, else the endpoint's host. */
  public String peerName(String endpointHost) {
    return settings.getServerName().isEmpty() ? endpointHost : settings.getServerName();
  }

  /** Whether the peer name goes out as SNI: on unless turned off, and never for an IP address. */
  public boolean sendsServerName(String endpointHost) {
    return (!settings.hasSendServerName() || settings.getSendServerName())
        && !Addresses.isIpLiteral(peerName(endpointHost));
  }

  /** nginx proxy_ssl_session_reuse: on unless turned off. */
  public boolean sessionReuse() {
    return !settings.hasSessionReuse() || settings.getSessionReuse();
  }

  /**
   * A handler for a new connection to {@code endpointHost:port}; the handshake starts when the
   * channel becomes active.
   */
  public SslHandler newHandler(ByteBufAllocator alloc, String endpointHost, int port) {
    String peer = peerName(endpointHost);
    SslHandler handler = context.newHandler(alloc, peer, port);
    if (!sendsServerName(endpointHost)) {
      // Built on the JDK engine for this case (UpstreamTlsContexts): an empty list means no SNI.
      SSLEngine e = handler.engine();
      SSLParameters p = e.getSSLParameters();
      p.setServerNames(List.of());
      e.setSSLParameters(p);
    }
    return handler;
  }

  /**
   * After a successful handshake: with session reuse off, forgets the session so no later
   * connection resumes it (the OpenSSL context has no session cache at all then; the JDK's keeps
   * sessions, so they are invalidated one by one).
   */
  public void handshakeDone(SslHandler handler) {
    if (!sessionReuse()) {
      handler.engine().getSession().invalidate();
    }
  }
}
