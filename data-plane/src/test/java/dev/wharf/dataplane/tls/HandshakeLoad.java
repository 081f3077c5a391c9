package dev.wharf.dataplane.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * A steady HTTPS load of new TLS connections: each of a few threads, in a loop, makes a fresh
 * SSLContext (so no session is ever resumed: every request is a full handshake), connects, checks
 * the server's certificate against the test CA and 127.0.0.1, sends one {@code GET} with {@code
 * Connection: close} and reads the whole response. Every attempt is recorded with its times and the
 * certificate the server showed, or how it failed.
 */
final class HandshakeLoad implements AutoCloseable {
  private static final int SOCKET_TIMEOUT_MILLIS = 60_000;

  /**
   * One attempt.
   *
   * @param started {@link System#nanoTime} before connecting
   * @param handshaken after the handshake finished (0 when it failed)
   * @param subject the server certificate's subject, or null when the handshake failed
   * @param serial its serial number
   * @param failure null for a 200 response, else what went wrong
   * @param handshakeFailed whether the failure was in the handshake
   */
  record Attempt(
      long started,
      long handshaken,
      String subject,
      java.math.BigInteger serial,
      String failure,
      boolean handshakeFailed) {}

  private final int port;
  private final TrustManager[] trust;
  private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  HandshakeLoad(int port, TrustManager[] trust, int threadCount) {
    this.port = port;
    this.trust = trust;
    for (int i = 0; i < threadCount; i++) {
      Thread t = new Thread(this::run, "https-load-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
  }

  void start() {
    threads.forEach(Thread::start);
  }

  /** Attempts finished so far. */
  List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  /** Successful attempts that started after {@code nanos}. */
  long successesStartedAfter(long nanos) {
    return attempts.stream().filter(a -> a.failure() == null && a.started() > nanos).count();
  }

  private void run() {
    while (running) {
      attempts.add(once());
    }
  }

  private Attempt once() {
    long started = System.nanoTime();
    SSLSocket socket;
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust, null);
      socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    } catch (IOException | GeneralSecurityException e) {
      return new Attempt(started, 0, null, null, "connect: " + e, true);
    }
    try (socket) {
      socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      X509Certificate peer;
      try {
        socket.startHandshake();
        peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      } catch (IOException e) {
        return new Attempt(started, 0, null, null, "handshake: " + e, true);
      }
      long handshaken = System.nanoTime();
      String subject = peer.getSubjectX500Principal().getName();
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /load HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      String failure =
          response.startsWith("HTTP/1.1 200 ")
              ? null
              : "response: " + response.substring(0, Math.min(200, response.length()));
      return new Attempt(started, handshaken, subject, peer.getSerialNumber(), failure, false);
    } catch (IOException e) {
      return new Attempt(started, 0, null, null, "request: " + e, false);
    }
  }

  /** Stops the threads after their current attempt; bounded by the socket timeout. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(TimeUnit.MILLISECONDS.toMillis(SOCKET_TIMEOUT_MILLIS * 2L));
    }
  }
}
