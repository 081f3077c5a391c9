package dev.wharf.launch;

import dev.wharf.config.Addresses;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigException;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * What every Wharf process does the same way while it starts: reading listen addresses and the
 * config file from its flags, and printing addresses in its start-up lines. A problem comes back as
 * a {@link StartupException} naming the flag, for the command to {@linkplain
 * StartupException#report report} and exit with.
 */
public final class Startup {
  /**
   * One buffer in this many is tracked by Netty's leak detector in a node that was not told
   * otherwise: its level stays Netty's default ({@code simple}), so a leak is still reported with
   * where the buffer was last used. Netty's own default (128) took 1.3-1.9 % of a node's CPU on a
   * kept-alive proxy (a stack trace captured per tracked buffer, three buffers a request,
   * async-profiler, docs/performance.md); one in 1,024 costs an eighth of that, and a leak on any
   * path that runs a thousand times is still found. Tests run at {@code paranoid}, where every
   * buffer is tracked whatever this says.
   */
  public static final String LEAK_SAMPLING_INTERVAL = "1024";

  private static final String LEAK_SAMPLING_PROPERTY = "io.netty.leakDetection.samplingInterval";

  private Startup() {}

  /**
   * Sets the Netty defaults of a process that serves traffic, before any Netty class is loaded,
   * unless {@code properties} (the JVM's system properties) already name them: an operator's {@code
   * -D} flag always wins. Only the leak detector's {@linkplain #LEAK_SAMPLING_INTERVAL sampling
   * interval} today.
   */
  public static void nettyDefaults(Properties properties) {
    if (properties.getProperty(LEAK_SAMPLING_PROPERTY) == null) {
      properties.setProperty(LEAK_SAMPLING_PROPERTY, LEAK_SAMPLING_INTERVAL);
    }
  }

  /**
   * The address flag {@code option} asks to listen on: {@code host:port} or {@code [v6]:port}, port
   * 0 for any free one.
   *
   * @throws StartupException a usage error: {@code --admin: 'x' is not host:port (...)}
   */
  public static InetSocketAddress bindAddress(String option, String text) throws StartupException {
    try {
      return Addresses.bindAddress(text);
    } catch (IllegalArgumentException e) {
      throw StartupException.usage(option + ": " + e.getMessage());
    }
  }

  /**
   * Reads and validates the config document {@code file}.
   *
   * @param option the flag that named the file, put before the message; null for none
   * @throws StartupException a failure: the file cannot be read, or one detail line per error
   */
  public static Config loadConfig(String option, Path file) throws StartupException {
    String flag = option == null ? "" : option + ": ";
    try {
      return ConfigDocuments.load(file);
    } catch (NoSuchFileException e) {
      throw StartupException.failed(flag + "cannot read " + file + ": no such file");
    } catch (IOException e) {
      throw StartupException.failed(flag + "cannot read " + file + ": " + e.getMessage(), e);
    } catch (ConfigException e) {
      throw configErrors(e.errors());
    }
  }

  /** {@code error: 2 errors in the config:}, then each error with its field path. */
  public static StartupException configErrors(List<ConfigError> errors) {
    return StartupException.failed(
        ConfigError.count(errors.size()) + " in the config:",
        errors.stream().map(ConfigError::toString).toList());
  }

  /** {@code 127.0.0.1:8080} or {@code [::1]:8080}: as a user writes it back into a flag. */
  public static String hostPort(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    String host =
        ip != null && ip.getHostAddress().contains(":")
            ? "[" + ip.getHostAddress() + "]"
            : address.getHostString();
    return host + ":" + address.getPort();
  }

  /** This machine's name, the default identity of a node or replica; never a lookup failure. */
  public static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
