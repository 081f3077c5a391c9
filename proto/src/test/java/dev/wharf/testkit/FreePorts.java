package dev.wharf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Loopback ports for what cannot bind port 0 and report the port it bound.
 *
 * <p>Prefer port 0 wherever the server allows it (test backends, the Admin and discovery servers,
 * the node's and standalone's admin servers): the kernel picks the port and nothing can take it
 * first. What is left here is for what must be told a port: a node's listeners (the config
 * validator refuses port 0, as an operator would expect of a production config), etcd members
 * (their peer URLs are written into the cluster's config before they start), and nginx or jar
 * processes in side-by-side tests.
 *
 * <p>Such a port is free when it is chosen and is released before the caller binds it: another
 * process on this machine (other test JVMs, other builds) may take it in between. That is why there
 * is no public way to get a bare port: a start goes through {@link #retryWhenTaken(int, Start)} (a
 * known number of ports) or {@link #retryWhenTaken(StartFrom)} (ports drawn one at a time), which
 * runs the start again on fresh ports when its bind was refused as "address in use", a bounded
 * number of times. A port that must <em>refuse</em> connections comes from {@link #refusing()},
 * which holds it so nobody can start listening on it during the test. Only {@link EtcdCluster}, in
 * this package, draws bare ports, inside its own bounded retry (it retries any failed start).
 */
public final class FreePorts {
  /** How many sets of ports {@link #retryWhenTaken} tries before it gives up. */
  public static final int START_ATTEMPTS = 5;

  private FreePorts() {}

  /**
   * Distinct free ports: all are bound at once (so no duplicates), then released. Not public: a
   * caller outside a retry would race every other process on the machine for them (see the class
   * comment).
   */
  static List<Integer> loopback(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing a probe socket cannot lose anything
        }
      }
    }
  }

  /** Starts something on the {@code count} ports it is given. */
  @FunctionalInterface
  public interface Start<T> {
    T on(List<Integer> ports) throws Exception;
  }

  /**
   * {@code start} on {@code count} fresh ports; when it fails because a port was taken between
   * {@link #loopback(int)} and its bind ({@link #isAddressInUse}), again on fresh ports, up to
   * {@link #START_ATTEMPTS} times. Any other failure is thrown at once. {@code start} must leave
   * nothing running when it throws.
   */
  public static <T> T retryWhenTaken(int count, Start<T> start) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return start.on(loopback(count));
      } catch (Exception | AssertionError e) {
        if (attempt == START_ATTEMPTS || !isAddressInUse(e)) {
          throw e;
        }
      }
    }
  }

  /** Hands out fresh ports, distinct from each other, one at a time. */
  @FunctionalInterface
  public interface Ports {
    int next();
  }

  /** Starts something on ports it draws from {@code ports} as it needs them. */
  @FunctionalInterface
  public interface StartFrom<T> {
    T on(Ports ports) throws Exception;
  }

  /**
   * As {@link #retryWhenTaken(int, Start)}, for a start that draws its ports one at a time (a
   * config written by a function of its ports); each attempt draws from a new {@link Ports}.
   */
  public static <T> T retryWhenTaken(StartFrom<T> start) throws Exception {
    for (int attempt = 1; ; attempt++) {
      Set<Integer> given = new HashSet<>();
      try {
        return start.on(
            () -> {
              int port;
              do {
                port = loopback(1).get(0);
              } while (!given.add(port));
              return port;
            });
      } catch (Exception | AssertionError e) {
        if (attempt == START_ATTEMPTS || !isAddressInUse(e)) {
          throw e;
        }
      }
    }
  }

  /**
   * Whether {@code failure} (or a cause) says a port was taken: a {@link BindException}, or a
   * message with "address already in use" / "address in use" / "EADDRINUSE" (how a child process's
   * log or a wrapped exception reports it).
   */
  public static boolean isAddressInUse(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("address already in use")
          || m.contains("address in use")
          || m.contains("eaddrinuse")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * A loopback port that refuses connections until closed: a TCP socket bound to it that never
   * listens (a connection gets a reset, ECONNREFUSED), without SO_REUSEADDR, so no other process
   * can bind the port meanwhile. Unlike a port chosen for a start, it cannot start accepting in the
   * middle of a test that counts on the refusal.
   */
  public static Refusing refusing() {
    Socket socket = new Socket();
    try {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return new Refusing(socket);
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing was bound
      }
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** A port held by {@link #refusing()}; closing it releases the port. */
  public static final class Refusing implements AutoCloseable {
    private final Socket socket;

    private Refusing(Socket socket) {
      this.socket = socket;
    }

    public int port() {
      return socket.getLocalPort();
    }

    /** {@code 127.0.0.1:PORT}. */
    public String hostPort() {
      return "127.0.0.1:" + port();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // releasing the port cannot fail in a way a test could act on
      }
    }
  }
}
