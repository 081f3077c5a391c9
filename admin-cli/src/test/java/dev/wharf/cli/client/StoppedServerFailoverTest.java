package dev.wharf.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that accepts the TCP connection and never answers, as a stopped (SIGSTOP) replica does:
 * its kernel completes the handshake into the listen backlog. The command moves to the next server
 * within seconds, not after its whole timeout.
 */
class StoppedServerFailoverTest {
  /** Well under the 10 s default timeout the command used to wait on the stopped server. */
  private static final Duration BOUND = Duration.ofSeconds(6);

  @TempDir Path home;
  private Cli cli;
  private ServerSocket stopped;
  private String stoppedAddress;

  @BeforeEach
  void setUp() throws Exception {
    cli = new Cli(home);
    stopped = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // never accept()s
    stoppedAddress = "127.0.0.1:" + stopped.getLocalPort();
    Transport netty = Transport.netty();
    cli.transport(
        (server, tlsCa) ->
            server.equals(stoppedAddress)
                ? netty.open(server, tlsCa)
                : InProcessChannelBuilder.forName(server).build());
  }

  @AfterEach
  void stop() throws Exception {
    cli.close();
    stopped.close();
  }

  @Test
  void aStoppedServerFirstInTheListIsPassedOverWithinSeconds() {
    cli.serveReal("cp-2:9700").commit(Configs.parse(Configs.BEFORE));

    long start = System.nanoTime();
    Result r = cli.run("get", "upstreams", "--server", stoppedAddress + ",cp-2:9700");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().startsWith("NAME   ENDPOINTS"), r.out());
    assertTrue(took.compareTo(BOUND) < 0, "took " + took + ", expected under " + BOUND);
  }

  @Test
  void aStoppedServerThatIsTheOnlyOneGetsTheWholeTimeoutAndIsNamed() {
    Result r = cli.run("get", "upstreams", "--server", stoppedAddress, "--timeout", "3s");

    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(r.err().contains(stoppedAddress + ": DEADLINE_EXCEEDED"), r.err());
  }

  @Test
  void whenEveryServerIsStoppedEachIsListedWithWhatHappened() throws Exception {
    try (ServerSocket second = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String secondAddress = "127.0.0.1:" + second.getLocalPort();
      Transport netty = Transport.netty();
      cli.transport(netty);

      Result r =
          cli.run("nodes", "--server", stoppedAddress + "," + secondAddress, "--timeout", "3s");

      assertEquals(3, r.exitCode(), r.toString());
      assertTrue(
          r.err()
              .contains(
                  stoppedAddress
                      + ": no answer within 2s (the connection was accepted, nothing answered"),
          r.err());
      assertTrue(r.err().contains(secondAddress), r.err());
    }
  }
}
