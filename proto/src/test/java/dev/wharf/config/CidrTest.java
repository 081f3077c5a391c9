package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  private static InetAddress mapped(int a, int b, int c, int d) throws Exception {
    // Built from bytes with Inet6Address so Java does not shorten it to an Inet4Address.
    byte[] bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
    byte[] all = new byte[16];
    System.arraycopy(bytes, 0, all, 0, 12);
    all[12] = (byte) a;
    all[13] = (byte) b;
    all[14] = (byte) c;
    all[15] = (byte) d;
    return java.net.Inet6Address.getByAddress(null, all, -1);
  }

  @Test
  void anIpv4RangeHoldsItsAddressesOnly() throws Exception {
    Cidr c = Cidr.parse("10.0.0.0/8");
    assertTrue(c.contains(ip("10.0.0.0")));
    assertTrue(c.contains(ip("10.255.255.255")));
    assertFalse(c.contains(ip("11.0.0.0")));
    assertFalse(c.contains(ip("9.255.255.255")));
    assertFalse(c.contains(ip("::a00:1")), "an IPv6 address is never in an IPv4 range");
  }

  @Test
  void aPrefixThatIsNotAMultipleOfEightCutsInsideAByte() throws Exception {
    Cidr c = Cidr.parse("192.168.4.0/22");
    assertTrue(c.contains(ip("192.168.7.255")));
    assertFalse(c.contains(ip("192.168.8.0")));
    assertFalse(c.contains(ip("192.168.3.255")));
  }

  @Test
  void aBareAddressIsASingleHost() throws Exception {
    assertEquals(32, Cidr.parse("192.0.2.7").prefixLength());
    assertEquals(128, Cidr.parse("::1").prefixLength());
    assertTrue(Cidr.parse("192.0.2.7").contains(ip("192.0.2.7")));
    assertFalse(Cidr.parse("192.0.2.7").contains(ip("192.0.2.8")));
    assertTrue(Cidr.parse("::1").contains(ip("::1")));
    assertFalse(Cidr.parse("::1").contains(ip("::2")));
  }

  @Test
  void ipv6RangesWork() throws Exception {
    Cidr c = Cidr.parse("2001:db8::/32");
    assertTrue(c.contains(ip("2001:db8:ffff::1")));
    assertFalse(c.contains(ip("2001:db9::1")));
    assertFalse(c.contains(ip("32.1.13.184")), "the same leading bytes in IPv4 are not in it");
    assertTrue(Cidr.parse("::/0").contains(ip("fe80::1")));
    assertFalse(Cidr.parse("::/0").contains(ip("1.2.3.4")));
    assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("1.2.3.4")));
  }

  @Test
  void ipv4MappedAddressesAndRangesAreTheirIpv4Selves() throws Exception {
    assertTrue(Cidr.parse("127.0.0.0/8").contains(mapped(127, 0, 0, 1)));
    assertFalse(Cidr.parse("10.0.0.0/8").contains(mapped(127, 0, 0, 1)));
    Cidr mappedRange = Cidr.parse("::ffff:10.0.0.0/104");
    assertEquals("10.0.0.0/8", mappedRange.toString());
    assertTrue(mappedRange.contains(ip("10.9.8.7")));
    assertTrue(Cidr.parse("::ffff:192.0.2.7").contains(ip("192.0.2.7")));
  }

  @Test
  void bitsBelowThePrefixAreIgnoredAsNginxDoes() throws Exception {
    assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("10.1.2.3/8"));
    assertEquals("2001:db8:0:0:0:0:0:0/32", Cidr.parse("2001:db8:1::5/32").toString());
  }

  @Test
  void badRangesSayWhatIsWrong() {
    assertMessage("'10.0.0.0/33': prefix length '33' (expected: 0-32 for IPv4)", "10.0.0.0/33");
    assertMessage("'::1/129': prefix length '129' (expected: 0-128 for IPv6)", "::1/129");
    assertMessage("'10.0.0.0/': prefix length '' (expected: 0-32 for IPv4)", "10.0.0.0/");
    assertMessage("'10.0.0.0/-1': prefix length '-1' (expected: 0-32 for IPv4)", "10.0.0.0/-1");
    assertMessage("'10.0.0.0/8/8': prefix length '8/8' (expected: 0-32 for IPv4)", "10.0.0.0/8/8");
    assertMessage(
        "'::ffff:10.0.0.0/8': an IPv4-mapped range needs a prefix of at least 96",
        "::ffff:10.0.0.0/8");
    assertMessage("'fe80::1%eth0': a zone id (%...) is not allowed", "fe80::1%eth0");
    for (String notAnAddress :
        List.of("", "localhost", "999.1.1.1", "10.0.0", "010.0.0.1", " 10.0.0.1", "1.2.3.4 ")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Cidr.parse(notAnAddress));
      assertEquals(
          "'"
              + notAnAddress
              + "' is not an IP address or range (expected e.g. 10.0.0.0/8, ::1/128,"
              + " 192.0.2.7; host names are not resolved)",
          e.getMessage());
    }
  }

  @Test
  void parseAllNamesTheBadIndex() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Cidr.parseAll(List.of("10.0.0.0/8", "x")));
    assertTrue(e.getMessage().startsWith("[1] 'x' is not"), e.getMessage());
  }

  private static void assertMessage(String expected, String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
    assertEquals(expected, e.getMessage());
  }
}
