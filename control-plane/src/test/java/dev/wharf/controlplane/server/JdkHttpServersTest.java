package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The JDK server limits: Wharf's unless the operator set their own with {@code -D}. That the JDK
 * then closes stalled requests is {@link StalledHttpClientsTest}'s part.
 */
class JdkHttpServersTest {
  @Test
  void startingAServerSetsWharfsLimitsWhenTheOperatorSetNone() throws Exception {
    String request = System.clearProperty(JdkHttpServers.REQUEST_TIME);
    String response = System.clearProperty(JdkHttpServers.RESPONSE_TIME);
    String drain = System.clearProperty(JdkHttpServers.DRAIN_BYTES);
    try {
      HttpServer server =
          JdkHttpServers.http(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      server.stop(0);
      assertEquals("30", System.getProperty(JdkHttpServers.REQUEST_TIME));
      assertEquals("60", System.getProperty(JdkHttpServers.RESPONSE_TIME));
      assertEquals("17825792", System.getProperty(JdkHttpServers.DRAIN_BYTES));
    } finally {
      restore(JdkHttpServers.REQUEST_TIME, request);
      restore(JdkHttpServers.RESPONSE_TIME, response);
      restore(JdkHttpServers.DRAIN_BYTES, drain);
    }
  }

  @Test
  void anOperatorsLimitIsKept() {
    assertEquals("5", JdkHttpServers.limit("5", JdkHttpServers.REQUEST_SECONDS));
    assertEquals("30", JdkHttpServers.limit(" ", JdkHttpServers.REQUEST_SECONDS));
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
