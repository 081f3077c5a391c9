package dev.wharf.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void aRefusingPortRefusesConnectionsAndCannotBeTakenWhileHeld() throws Exception {
    try (FreePorts.Refusing closed = FreePorts.refusing()) {
      try (Socket client = new Socket()) {
        assertThrows(
            ConnectException.class,
            () -> client.connect(new InetSocketAddress(LOOPBACK, closed.port()), 10_000));
      }
      // ServerSocket sets SO_REUSEADDR, as Netty and most servers do: still refused.
      assertThrows(BindException.class, () -> new ServerSocket(closed.port(), 1, LOOPBACK).close());
    }
  }

  @Test
  void aStartRefusedAsAddressInUseIsWrittenAgainWithOtherPorts() throws Exception {
    List<List<Integer>> given = new ArrayList<>();
    try (ServerSocket taken = new ServerSocket(0, 1, LOOPBACK)) {
      int port =
          FreePorts.retryWhenTaken(
              2,
              ports -> {
                given.add(ports);
                int p = given.size() == 1 ? taken.getLocalPort() : ports.get(0);
                try (ServerSocket s = new ServerSocket(p, 1, LOOPBACK)) {
                  return s.getLocalPort();
                }
              });
      assertEquals(2, given.size(), given::toString);
      assertEquals(given.get(1).get(0), port);
      assertEquals(2, given.get(1).size());
    }
  }

  @Test
  void aStartDrawingPortsOneAtATimeIsRunAgainOnFreshPortsWhenOneWasTaken() throws Exception {
    List<List<Integer>> drawn = new ArrayList<>();
    try (ServerSocket taken = new ServerSocket(0, 1, LOOPBACK)) {
      int port =
          FreePorts.retryWhenTaken(
              ports -> {
                List<Integer> mine = List.of(ports.next(), ports.next(), ports.next());
                drawn.add(mine);
                assertEquals(3, new java.util.HashSet<>(mine).size(), mine::toString);
                int p = drawn.size() == 1 ? taken.getLocalPort() : mine.get(0);
                try (ServerSocket s = new ServerSocket(p, 1, LOOPBACK)) {
                  return s.getLocalPort();
                }
              });
      assertEquals(2, drawn.size(), drawn::toString);
      assertEquals(drawn.get(1).get(0), port);
    }
  }

  @Test
  void otherFailuresAreNotRetriedAndAttemptsAreBounded() {
    List<Integer> attempts = new ArrayList<>();
    assertThrows(
        IOException.class,
        () ->
            FreePorts.retryWhenTaken(
                1,
                ports -> {
                  attempts.add(ports.get(0));
                  throw new IOException("permission denied");
                }));
    assertEquals(1, attempts.size());

    attempts.clear();
    assertThrows(
        IllegalStateException.class,
        () ->
            FreePorts.retryWhenTaken(
                1,
                ports -> {
                  attempts.add(ports.get(0));
                  throw new IllegalStateException(
                      "nginx: [emerg] bind() to 127.0.0.1:"
                          + ports.get(0)
                          + " failed (98: Address already in use)");
                }));
    assertEquals(FreePorts.START_ATTEMPTS, attempts.size());
  }

  @Test
  void addressInUseIsFoundInACauseOrAChildProcessMessage() {
    assertTrue(FreePorts.isAddressInUse(new RuntimeException(new BindException("x"))));
    assertTrue(
        FreePorts.isAddressInUse(new IOException("listen tcp: bind: address already in use")));
    assertFalse(FreePorts.isAddressInUse(new IOException("connection refused")));
  }
}
