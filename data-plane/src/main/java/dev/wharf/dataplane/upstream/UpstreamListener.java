package dev.wharf.dataplane.upstream;

/**
 * What an upstream connection reports to the exchange currently using it. Called on the
 * connection's event loop, which is also its client's.
 */
public interface UpstreamListener {
  /** A decoded response part; the listener forwards or releases it. */
  void onUpstreamMessage(Object msg);

  /** The end of one read from the socket: a good moment to flush and to ask for more. */
  void onUpstreamReadComplete();

  void onUpstreamWritabilityChanged(boolean writable);

  /** The connection ended, cleanly ({@code cause} null) or with an error. */
  void onUpstreamClosed(Throwable cause);
}
