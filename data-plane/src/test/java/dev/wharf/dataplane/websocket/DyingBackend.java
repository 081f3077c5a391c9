package dev.wharf.dataplane.websocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A WebSocket endpoint on plain sockets that answers the handshake and then only waits, until the
 * test makes it die as a killed process would: every connection reset ({@code SO_LINGER 0}) or
 * closed with a plain TCP FIN, never a close frame.
 */
final class DyingBackend implements AutoCloseable {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket server;
  private final List<Socket> upgraded = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  DyingBackend() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptAll, "dying-backend");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  String endpoint() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** How many connections completed the handshake. */
  int upgraded() {
    return upgraded.size();
  }

  /** Every upgraded connection is reset: RST, no FIN, no close frame. */
  void resetAll() throws IOException {
    for (Socket s : upgraded) {
      s.setSoLinger(true, 0);
      s.close();
    }
  }

  /** Every upgraded connection is closed without a close frame. */
  void closeAll() throws IOException {
    for (Socket s : upgraded) {
      s.close();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    closeAll();
  }

  private void acceptAll() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> upgrade(s), "dying-backend-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void upgrade(Socket s) {
    try {
      String head = readHead(s.getInputStream());
      String key = null;
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
          key = line.substring(line.indexOf(':') + 1).strip();
        }
      }
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
      String response =
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Accept: "
              + Base64.getEncoder().encodeToString(sha1)
              + "\r\n\r\n";
      s.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      upgraded.add(s);
      // Reads and drops what the client sends until the test makes the connection die.
      byte[] sink = new byte[4096];
      while (s.getInputStream().read(sink) >= 0) {
        // dropped, like the messages in flight of a process that is about to be killed
      }
    } catch (IOException | NoSuchAlgorithmException gone) {
      // the test killed the connection
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before the end of the head");
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
