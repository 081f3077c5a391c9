package dev.wharf.controlplane.server;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.wharf.config.DocumentLimits;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The JDK HTTP servers behind the replica's metrics and Admin HTTP endpoints, with the time limits
 * the JDK leaves off by default.
 *
 * <p>The JDK server reads a request's head and body on a thread of the endpoint's pool, with
 * blocking reads and no timeout, and writes the response the same way. A client that sends half a
 * request line and then nothing (or never reads its response) holds that thread for as long as it
 * keeps the socket open: one such client silences the metrics endpoint's single thread, and with it
 * {@code /healthz} and {@code /readyz}, which an orchestrator then answers by restarting the
 * replica; four silence the Admin HTTP face. The JDK has two limits for this, as system properties
 * read once per process when its first server starts: a request must be read and answered within
 * {@code sun.net.httpserver.maxReqTime} seconds, and its response written within {@code
 * sun.net.httpserver.maxRspTime}; past either, the server closes the connection and frees the
 * thread (it checks about once a second). Wharf sets both before it starts a server, unless the
 * operator set them on the command line ({@code -D...}), whose values are kept.
 *
 * <p>The same goes for the body of a request answered before it was read, such as a 413 for a body
 * over {@link DocumentLimits#MAX_BYTES}: the JDK sends {@code 100 Continue} on its own, so the
 * client is already sending. After the answer, the JDK reads and drops at most {@code
 * sun.net.httpserver.drainAmount} bytes of what is left (64 KiB by default) and then closes; a
 * close with unread bytes resets the connection, and the client can lose the answer it has not read
 * yet. Wharf lets it drop a whole document's worth and a little more, which is nginx's lingering
 * close: the answer arrives, and the response time limit still bounds how long it can take.
 */
final class JdkHttpServers {
  static final String REQUEST_TIME = "sun.net.httpserver.maxReqTime";
  static final String RESPONSE_TIME = "sun.net.httpserver.maxRspTime";
  static final String DRAIN_BYTES = "sun.net.httpserver.drainAmount";

  /**
   * Seconds to receive a request and start answering it: an Admin call waits for the store within
   * its own, shorter deadline, so only a client that stalls meets this one.
   */
  static final long REQUEST_SECONDS = 30;

  /** Seconds to write a response: the largest, a whole config, is a few MiB. */
  static final long RESPONSE_SECONDS = 60;

  /** Bytes of an unread request body dropped after the answer before the connection is closed. */
  static final long DRAIN = DocumentLimits.MAX_BYTES + (1 << 20);

  private JdkHttpServers() {}

  static HttpServer http(InetSocketAddress address, int backlog) throws IOException {
    limitTimes();
    return HttpServer.create(address, backlog);
  }

  static HttpsServer https(InetSocketAddress address, int backlog) throws IOException {
    limitTimes();
    return HttpsServer.create(address, backlog);
  }

  /** A limit (seconds or bytes): the operator's when set, else Wharf's. */
  static String limit(String configured, long ours) {
    return configured == null || configured.isBlank() ? Long.toString(ours) : configured;
  }

  private static synchronized void limitTimes() {
    System.setProperty(REQUEST_TIME, limit(System.getProperty(REQUEST_TIME), REQUEST_SECONDS));
    System.setProperty(RESPONSE_TIME, limit(System.getProperty(RESPONSE_TIME), RESPONSE_SECONDS));
    System.setProperty(DRAIN_BYTES, limit(System.getProperty(DRAIN_BYTES), DRAIN));
  }
}
