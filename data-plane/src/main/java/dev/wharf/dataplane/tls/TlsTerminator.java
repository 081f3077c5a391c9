package dev.wharf.dataplane.tls;

import io.netty.channel.ChannelPipeline;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TLS termination of one listener on this node. Holds the current {@link ServerTls}, which a
 * handshake reads once when the client's hello arrives: {@link #swap} (a config change, a reloaded
 * certificate) changes what new handshakes get and never touches open connections.
 *
 * <p>Threading: {@link #install} runs on the connection's event loop, {@link #swap} on any thread.
 */
public final class TlsTerminator {
  /** Handler names, in pipeline order, at the front of the client pipeline. */
  public static final String PLAIN_HTTP_GUARD = "tls-plain-http-guard";

  public static final String TLS = "tls";
  public static final String HANDSHAKE_GATE = "tls-handshake-gate";

  private final String listener;
  private final TlsMeters meters;
  private final AtomicInteger handshakes = new AtomicInteger();
  private volatile ServerTls current;
  private volatile TicketKeys tickets;

  TlsTerminator(String listener, ServerTls initial, TicketKeys tickets, TlsMeters meters) {
    this.listener = listener;
    this.current = initial;
    this.tickets = tickets;
    this.meters = meters;
    tickets.applyTo(initial);
  }

  public String listener() {
    return listener;
  }

  /** The setup new handshakes get. */
  ServerTls current() {
    return current;
  }

  /** Handshakes in progress now on this listener. */
  public int handshakesInProgress() {
    return handshakes.get();
  }

  /** New handshakes get {@code next}; open connections keep what they negotiated. */
  void swap(ServerTls next, TicketKeys nextTickets) {
    nextTickets.applyTo(next);
    tickets = nextTickets;
    current = next;
  }

  TicketKeys currentTickets() {
    return tickets;
  }

  void rotateTicketKeysIfDue(long now) {
    if (tickets.rotateIfDue(now)) {
      tickets.applyTo(current);
    }
  }

  /**
   * Adds TLS at the front of {@code p} (which must hold nothing yet that reads bytes): a guard that
   * answers plain HTTP, the SNI handler that becomes the connection's {@code SslHandler}, and the
   * gate that caps handshakes in progress and publishes what the handshake established.
   */
  public void install(ChannelPipeline p) {
    ServerTls setup = current;
    p.addLast(PLAIN_HTTP_GUARD, new PlainHttpGuard(listener, meters));
    p.addLast(TLS, new ListenerSniHandler(this, setup.handshakeTimeoutMillis(), meters));
    p.addLast(HANDSHAKE_GATE, new HandshakeGate(listener, handshakes, setup, meters));
  }
}
