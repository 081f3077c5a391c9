package dev.wharf.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code free-ports N}: prints N distinct loopback ports that were free a moment ago. All N are
 * held open together while they are picked, so they differ from each other; another process may
 * still take one before its user binds it, which on a test machine is rare enough.
 */
final class FreePorts {
  private FreePorts() {}

  public static void main(String[] args) throws IOException {
    int count = args.length == 1 ? Integer.parseInt(args[0]) : 1;
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
      }
      for (ServerSocket socket : held) {
        System.out.println(socket.getLocalPort());
      }
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
  }
}
