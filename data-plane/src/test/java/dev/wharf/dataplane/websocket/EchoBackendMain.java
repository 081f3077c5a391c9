package dev.wharf.dataplane.websocket;

import dev.wharf.dataplane.testing.TestBackend;

/**
 * A WebSocket echo backend ({@link TestBackend}) as a process of its own, for tests that kill it:
 * prints {@code endpoint HOST:PORT} once it listens, then serves until it is killed.
 */
public final class EchoBackendMain {
  private EchoBackendMain() {}

  public static void main(String[] args) throws InterruptedException {
    TestBackend backend = TestBackend.start("ws");
    System.out.println("endpoint " + backend.endpoint());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
