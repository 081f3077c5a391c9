package dev.wharf.dataplane.clientaddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.wharf.proto.config.v1.RealIp;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The header walk on hostile values; the end-to-end test covers the ordinary ones. */
class RealIpPolicyTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
  private static final RealIpPolicy WALK =
      RealIpPolicy.of(
          RealIp.newBuilder()
              .addAllTrustedSources(List.of("127.0.0.0/8", "10.0.0.0/8"))
              .setRecursive(true)
              .build());

  private static InetSocketAddress walk(String value) {
    HttpHeaders h = new DefaultHttpHeaders(false).add("X-Forwarded-For", value);
    return WALK.apply(PEER, h);
  }

  @Test
  void elementsThatAreNotAddressesAreNeverParsedAsSuch() {
    for (String hostile :
        List.of(
            "",
            " ",
            ",,,",
            "localhost",
            "1.2.3.4%eth0",
            "fe80::1%25eth0",
            "[::1]",
            "[::1]:",
            "[::1]:0",
            "1.2.3.4:0",
            "1.2.3.4:65536",
            "1.2.3.4:+80",
            "1.2.3.4:80:80",
            "::1:99999",
            "1.2.3.4\t",
            "1.2.3.4\u0000",
            "１.２.３.４",
            "9".repeat(100_000),
            "[" + ":".repeat(60) + "]:80")) {
      assertSame(PEER, walk(hostile), () -> "'" + hostile + "'");
    }
  }

  @Test
  void aLongListIsWalkedWithoutTrouble() {
    String many = "203.0.113.1, " + "10.0.0.1, ".repeat(20_000) + "10.0.0.2";
    assertEquals(new InetSocketAddress("203.0.113.1", 0), walk(many));
  }

  @Test
  void parseReadsAddressesWithAndWithoutPorts() {
    assertEquals(new InetSocketAddress("192.0.2.7", 0), RealIpPolicy.parse("192.0.2.7"));
    assertEquals(new InetSocketAddress("192.0.2.7", 443), RealIpPolicy.parse("192.0.2.7:443"));
    assertEquals(new InetSocketAddress("2001:db8::7", 0), RealIpPolicy.parse("2001:db8::7"));
    assertEquals(
        new InetSocketAddress("2001:db8::7", 443), RealIpPolicy.parse("[2001:db8::7]:443"));
    assertNull(RealIpPolicy.parse("2001:db8::7:443x"));
  }
}
