package dev.wharf.dataplane.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file far larger than the socket buffers, sent zero-copy to a client that reads slowly or not at
 * all: a node drain lets it finish before the connection closes, and send_timeout closes the
 * connection of a client that stopped taking it.
 */
@ExtendWith(NettyLeakExtension.class)
class StaticTransfersTest {
  /** Sparse: costs no disk, and no socket buffer on loopback holds it. */
  private static final long HUGE = 64L << 20;

  @TempDir static Path dir;
  private static TestNode node;
  private static InetSocketAddress patient;
  private static InetSocketAddress impatient;

  @BeforeAll
  static void start() throws Exception {
    try (RandomAccessFile file = new RandomAccessFile(dir.resolve("huge.bin").toFile(), "rw")) {
      file.setLength(HUGE);
    }
    node =
        TestNode.start(
            ports ->
                """
        listeners:
          - {name: patient, address: 127.0.0.1, port: %d}
          - {name: impatient, address: 127.0.0.1, port: %d, send_timeout: 300ms}
        routes:
          - name: files
            match: {path: {prefix: /}}
            static: {root: "%s"}
        """
                    .formatted(ports.next(), ports.next(), dir));
    patient = node.address("patient");
    impatient = node.address("impatient");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** Sends a GET for the huge file and reads its head only; the body waits in the socket. */
  private static String requestHead(Socket socket, InetSocketAddress address) throws IOException {
    socket.setReceiveBufferSize(16 * 1024);
    socket.connect(address, 5_000);
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write("GET /huge.bin HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("closed inside the head: " + head);
      }
      head.append((char) c);
    }
    return head.toString();
  }

  /** Reads until the server closes; a reset after the last byte also ends it. */
  private static long drain(InputStream in) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long total = 0;
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        total += n;
      }
    } catch (SocketException e) {
      // the server closed with unsent bytes: what arrived is what counts
    }
    return total;
  }

  @Test
  void aNodeDrainLetsAFileInFlightFinishThenCloses() throws Exception {
    try (Socket socket = new Socket()) {
      String head = requestHead(socket, patient);
      assertTrue(head.startsWith("HTTP/1.1 200"), head);

      node.node().goAway(Duration.ofSeconds(5));

      assertEquals(HUGE, drain(socket.getInputStream()), "every byte, then the close");
    }
  }

  @Test
  void aClientThatStopsReadingAZeroCopyFileIsClosedAfterSendTimeout() throws Exception {
    try (Socket socket = new Socket()) {
      requestHead(socket, impatient);

      Await.until(
          Duration.ofSeconds(10),
          () -> node.node().openConnections() == 0,
          () -> node.node().openConnections() + " connections still open");
      long received = drain(socket.getInputStream());
      assertTrue(received < HUGE, "the transfer was cut at " + received);
    }
  }
}
