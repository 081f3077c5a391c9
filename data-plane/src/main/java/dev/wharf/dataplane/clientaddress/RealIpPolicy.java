package dev.wharf.dataplane.clientaddress;

import dev.wharf.config.Addresses;
import dev.wharf.config.Cidr;
import dev.wharf.proto.config.v1.RealIp;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A listener's {@code real_ip}, compiled: nginx's {@code set_real_ip_from}, {@code real_ip_header}
 * and {@code real_ip_recursive}, with nginx's walk over the header (see {@link #apply}). Immutable.
 */
final class RealIpPolicy {
  /** No address with brackets and port is longer ("[" + 45 + "]:65535"). */
  private static final int MAX_ELEMENT = 53;

  private final List<Cidr> trusted;
  private final String header;
  private final boolean forwardedFor;
  private final boolean recursive;

  private RealIpPolicy(List<Cidr> trusted, String header, boolean recursive) {
    this.trusted = trusted;
    this.header = header;
    this.forwardedFor = "x-forwarded-for".equalsIgnoreCase(header);
    this.recursive = recursive;
  }

  /** Compiles a validated {@code real_ip}. */
  static RealIpPolicy of(RealIp config) {
    String header = config.getHeader().isEmpty() ? "X-Forwarded-For" : config.getHeader();
    return new RealIpPolicy(
        TrustedRanges.of(config.getTrustedSourcesList()), header, config.getRecursive());
  }

  /**
   * The client address the header gives, or {@code client} itself when its header is not believed.
   * As nginx's realip module: nothing happens unless {@code client} is trusted; the header's
   * rightmost address is taken; with {@code recursive}, while the address taken is trusted too the
   * walk goes on leftwards (all trusted: the leftmost). An element that is not an address (with an
   * optional port) ends the walk: the last good address stays, or the client when there was none.
   * Several {@code X-Forwarded-For} lines count as one list in their order; for any other header
   * the first line is read.
   */
  InetSocketAddress apply(InetSocketAddress client, HttpHeaders headers) {
    if (!Cidr.anyContains(trusted, client.getAddress())) {
      return client;
    }
    String value = forwardedFor ? String.join(",", headers.getAll(header)) : headers.get(header);
    if (value == null) {
      return client;
    }
    int first = 0; // where the list starts: once the walk reaches it there is nothing left
    while (first < value.length() && isSeparator(value.charAt(first))) {
      first++;
    }
    InetSocketAddress found = client;
    int end = value.length();
    do {
      while (end > first && isSeparator(value.charAt(end - 1))) {
        end--;
      }
      int start = end;
      while (start > first && !isSeparator(value.charAt(start - 1))) {
        start--;
      }
      InetSocketAddress parsed = start == end ? null : parse(value.substring(start, end));
      if (parsed == null) {
        return found;
      }
      found = parsed;
      end = start;
    } while (recursive && end > first && Cidr.anyContains(trusted, found.getAddress()));
    return found;
  }

  private static boolean isSeparator(char c) {
    return c == ' ' || c == ',';
  }

  /**
   * An address as nginx reads one from a header: {@code 192.0.2.7}, {@code 2001:db8::7}, {@code
   * 192.0.2.7:443} or {@code [2001:db8::7]:443}; else null.
   */
  static InetSocketAddress parse(String text) {
    if (text.length() > MAX_ELEMENT) {
      return null;
    }
    InetAddress bare = Addresses.ipLiteral(text);
    if (bare != null) {
      return new InetSocketAddress(bare, 0);
    }
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        return null;
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
    } else {
      int colon = text.indexOf(':');
      if (colon < 0) {
        return null;
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    InetAddress address = Addresses.ipLiteral(host);
    if (address == null || !port.matches("\\d{1,5}")) {
      return null;
    }
    int number = Integer.parseInt(port);
    return number < 1 || number > 65535 ? null : new InetSocketAddress(address, number);
  }
}
