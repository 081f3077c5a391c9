package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.JarProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send half a request and then nothing do not silence a replica's HTTP endpoints for
 * longer than the request time limit: the metrics endpoint (one thread, which also answers {@code
 * /healthz}) and the Admin HTTP face (four threads) close such connections and answer again. The
 * replica runs as its own process, because the JDK reads its server limits once per process; it is
 * given a 2-second request limit on the command line, which {@link JdkHttpServers} keeps as an
 * operator's choice, so that the test ends in seconds rather than the 30 of Wharf's own default.
 */
class StalledHttpClientsTest {
  private static final Duration START = Duration.ofSeconds(60);

  /** Well past the 2 s limit plus the JDK's once-a-second check, on a loaded machine. */
  private static final int ANSWER_MILLIS = 20_000;

  /** The first line and one header of a GET, without the blank line that would end it. */
  private static final byte[] HALF_REQUEST =
      "GET /healthz HTTP/1.1\r\nHost: replica\r\n".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  private final List<Socket> sockets = new ArrayList<>();
  private JarProcess replica;

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    if (replica != null) {
      replica.close();
    }
  }

  @Test
  void stalledRequestsAreDroppedAndTheEndpointsAnswerAgain() throws Exception {
    replica =
        JarProcess.start(
            "replica",
            dir,
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                "-D" + JdkHttpServers.REQUEST_TIME + "=2",
                "dev.wharf.controlplane.ControlPlaneMain",
                "--data-dir",
                dir.resolve("data").toString(),
                "--listen",
                "127.0.0.1:0",
                "--metrics",
                "127.0.0.1:0",
                "--admin-http",
                "127.0.0.1:0"));
    InetSocketAddress metrics = address(replica.awaitLine("metrics:", START));
    InetSocketAddress admin = address(replica.awaitLine("admin http:", START));

    List<Socket> stalled = new ArrayList<>();
    stalled.add(stall(metrics));
    for (int i = 0; i < 5; i++) {
      stalled.add(stall(admin));
    }

    for (Socket s : stalled) {
      assertEquals(-1, readUntilClosed(s), "the replica closed a stalled request's connection");
    }
    assertEquals("HTTP/1.1 200 OK", statusLine(metrics, "/healthz"));
    assertTrue(
        statusLine(admin, "/v1/upstreams").startsWith("HTTP/1.1 "),
        "the Admin HTTP face answers again");
  }

  private Socket stall(InetSocketAddress at) throws IOException {
    Socket s = connect(at);
    s.getOutputStream().write(HALF_REQUEST);
    s.getOutputStream().flush();
    return s;
  }

  private String statusLine(InetSocketAddress at, String path) throws IOException {
    Socket s = connect(at);
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: replica\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    StringBuilder line = new StringBuilder();
    InputStream in = s.getInputStream();
    try {
      for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
        line.append((char) c);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          "no answer to GET " + path + " within " + ANSWER_MILLIS + " ms: stalled clients hold it");
    }
    return line.toString();
  }

  /** What the last read returned: -1 once the peer closed (a reset counts as closed). */
  private static int readUntilClosed(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    try {
      int n;
      byte[] buf = new byte[512];
      do {
        n = in.read(buf);
      } while (n > 0);
      return n;
    } catch (SocketException reset) {
      return -1;
    } catch (SocketTimeoutException e) {
      return 0;
    }
  }

  private Socket connect(InetSocketAddress at) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.connect(at, ANSWER_MILLIS);
    s.setSoTimeout(ANSWER_MILLIS);
    return s;
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
