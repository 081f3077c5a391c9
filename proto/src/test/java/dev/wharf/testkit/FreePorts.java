package dev.wharf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Free TCP ports on the loopback address, for processes and listeners that must be told a port
 * rather than bind port 0. A port is free when returned; something else may take it before the
 * caller binds it, so callers that can retry on a bind failure should.
 */
public final class FreePorts {
  private FreePorts() {}

  public static int loopback() {
    return loopback(1).get(0);
  }

  /** Distinct free ports: all are bound at once (so no duplicates), then released. */
  public static List<Integer> loopback(int count) {
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
}
