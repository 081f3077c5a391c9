package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AddressesTest {
  @Test
  void aBindAddressMayAskForAnyFreePort() {
    assertEquals(new InetSocketAddress("127.0.0.1", 0), Addresses.bindAddress("127.0.0.1:0"));
    assertEquals(new InetSocketAddress("::1", 9700), Addresses.bindAddress("[::1]:9700"));
  }

  @Test
  void aBindAddressWithoutAPortSaysWhatIsExpected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Addresses.bindAddress("127.0.0.1"));
    assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
  }
}
