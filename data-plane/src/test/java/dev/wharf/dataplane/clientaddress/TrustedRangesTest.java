package dev.wharf.dataplane.clientaddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.Cidr;
import dev.wharf.proto.config.v1.RealIp;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedRangesTest {
  @Test
  void aConfigsListIsParsedOnceAndAnotherConfigsListOnItsOwn() throws Exception {
    RealIp first = RealIp.newBuilder().addTrustedSources("10.0.0.0/8").build();
    RealIp second = RealIp.newBuilder().addTrustedSources("192.0.2.7").build();

    List<Cidr> ranges = TrustedRanges.of(first.getTrustedSourcesList());

    assertSame(ranges, TrustedRanges.of(first.getTrustedSourcesList()));
    assertTrue(ranges.get(0).contains(InetAddress.getByName("10.1.2.3")));
    List<Cidr> other = TrustedRanges.of(second.getTrustedSourcesList());
    assertNotSame(ranges, other);
    assertEquals(1, other.size());
    assertTrue(other.get(0).contains(InetAddress.getByName("192.0.2.7")));
    assertFalse(other.get(0).contains(InetAddress.getByName("10.1.2.3")));
  }
}
