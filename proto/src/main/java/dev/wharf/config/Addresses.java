package dev.wharf.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Checks of network addresses written in configs; nothing here does a DNS lookup. */
public final class Addresses {
  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern HOSTNAME =
      Pattern.compile(
          "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
              + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

  private Addresses() {}

  /** A host and port as written in {@code host:port} or {@code [v6]:port}. */
  public record HostPort(String host, int port) {}

  /** True for an IPv4 or IPv6 literal (IPv6 without brackets). */
  public static boolean isIpLiteral(String text) {
    if (IPV4.matcher(text).matches()) {
      return true;
    }
    if (!text.contains(":") || !text.matches("[0-9A-Fa-f:.]+")) {
      return false;
    }
    try {
      InetAddress.getByName(text); // a literal: parsed, never looked up
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** True for a DNS host name (letters, digits, '-' labels; no IP literal check). */
  public static boolean isHostName(String text) {
    return HOSTNAME.matcher(text).matches();
  }

  /**
   * The address an IPv4 or IPv6 literal (IPv6 without brackets or zone) stands for, or null when
   * {@code text} is not one; never a DNS lookup. An IPv4-mapped IPv6 literal comes back as the IPv4
   * address, as Java parses it.
   */
  public static InetAddress ipLiteral(String text) {
    if (text.length() > 45 || !isIpLiteral(text)) {
      return null;
    }
    try {
      return InetAddress.getByName(text); // a checked literal: parsed, never looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /**
   * Parses {@code host:port} / {@code [v6]:port}; throws {@link IllegalArgumentException} saying
   * what is wrong.
   */
  public static HostPort parseHostPort(String text) {
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new IllegalArgumentException(
            "'" + text + "' is not [ipv6]:port (expected e.g. [::1]:8080)");
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
      if (!isIpLiteral(host) || !host.contains(":")) {
        throw new IllegalArgumentException("'" + host + "' is not an IPv6 address");
      }
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || text.indexOf(':') != colon) {
        throw new IllegalArgumentException(
            "'" + text + "' is not host:port (expected e.g. 127.0.0.1:8080; IPv6 as [::1]:8080)");
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
      if (!isIpLiteral(host) && !HOSTNAME.matcher(host).matches()) {
        throw new IllegalArgumentException("'" + host + "' is not a host name or IP address");
      }
    }
    int portNumber;
    try {
      portNumber = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port '" + port + "' is not a number");
    }
    if (portNumber < 1 || portNumber > 65535) {
      throw new IllegalArgumentException("port " + portNumber + " (expected: 1-65535)");
    }
    return new HostPort(host, portNumber);
  }

  /**
   * An address to listen on, {@code host:port} or {@code [v6]:port}, where port 0 means "any free
   * port" (a command-line flag, not a config field). A host name is resolved.
   */
  public static InetSocketAddress bindAddress(String text) {
    HostPort hp =
        text.endsWith(":0")
            ? new HostPort(parseHostPort(text.substring(0, text.length() - 1) + "1").host(), 0)
            : parseHostPort(text);
    return new InetSocketAddress(hp.host(), hp.port());
  }
}
