package dev.wharf.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * An address range as written in a config: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a bare
 * address ({@code 192.0.2.7} is {@code /32}, {@code ::1} is {@code /128}). The one parser of ranges
 * for the validator and the data plane; nothing here does a DNS lookup.
 *
 * <p>IPv4-mapped IPv6 ({@code ::ffff:10.0.0.0/104}) is the IPv4 range it maps, and an IPv4-mapped
 * address given to {@link #contains} is matched as the IPv4 address it carries, so a dual-stack
 * socket's {@code ::ffff:127.0.0.1} peer is in {@code 127.0.0.0/8}. Bits below the prefix are
 * ignored ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}), as nginx does.
 *
 * <p>Immutable and thread-safe.
 */
public final class Cidr {
  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
    for (int bit = prefix; bit < network.length * 8; bit++) {
      network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
  }

  /**
   * Parses a range or a bare address.
   *
   * @throws IllegalArgumentException saying what is wrong, e.g. {@code "'10.0.0.0/33': prefix
   *     length 33 (expected: 0-32 for IPv4)"}
   */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String host = slash < 0 ? text : text.substring(0, slash);
    if (host.contains("%")) {
      throw new IllegalArgumentException("'" + text + "': a zone id (%...) is not allowed");
    }
    InetAddress parsed = Addresses.ipLiteral(host);
    if (parsed == null) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not an IP address or range (expected e.g. 10.0.0.0/8, ::1/128, 192.0.2.7;"
              + " host names are not resolved)");
    }
    byte[] bytes = parsed.getAddress();
    boolean writtenAsV6 = host.contains(":");
    int max = writtenAsV6 ? 128 : 32;
    int length = max;
    if (slash >= 0) {
      String bits = text.substring(slash + 1);
      if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > max) {
        throw new IllegalArgumentException(
            "'"
                + text
                + "': prefix length '"
                + bits
                + "' (expected: 0-"
                + max
                + " for IPv"
                + (writtenAsV6 ? "6" : "4")
                + ")");
      }
      length = Integer.parseInt(bits);
    }
    if (writtenAsV6 && bytes.length == 4) {
      // Java turns ::ffff:a.b.c.d into an IPv4 address: the range is the IPv4 one it maps.
      if (length < 96) {
        throw new IllegalArgumentException(
            "'" + text + "': an IPv4-mapped range needs a prefix of at least 96");
      }
      length -= 96;
    }
    return new Cidr(bytes, length);
  }

  /** Parses every entry; the first bad one throws, naming its index. */
  public static List<Cidr> parseAll(List<String> texts) {
    Cidr[] out = new Cidr[texts.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = parse(texts.get(i));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("[" + i + "] " + e.getMessage(), e);
      }
    }
    return List.of(out);
  }

  /** True when one of {@code ranges} contains {@code address}. */
  public static boolean anyContains(List<Cidr> ranges, InetAddress address) {
    for (Cidr c : ranges) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** True when {@code address} is in this range; an IPv4 range never holds a plain IPv6 one. */
  public boolean contains(InetAddress address) {
    byte[] a = comparable(address);
    if (a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }

  /** The address bytes, with an IPv4-mapped IPv6 address reduced to its IPv4 bytes. */
  private static byte[] comparable(InetAddress address) {
    byte[] a = address.getAddress();
    if (address instanceof Inet6Address && isV4Mapped(a)) {
      return Arrays.copyOfRange(a, 12, 16);
    }
    return a;
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  public int prefixLength() {
    return prefix;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
