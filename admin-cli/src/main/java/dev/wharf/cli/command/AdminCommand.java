package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.client.Connection;
import dev.wharf.cli.client.ConnectionOptions;
import dev.wharf.cli.client.Environment;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.exit.Unexpected;
import dev.wharf.config.Addresses;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to the Admin API: resolves the connection, runs, and turns whatever stopped
 * it into one message and an exit code. Results go to stdout, everything else to stderr. No stack
 * trace reaches the user unless {@code --debug} asks for it.
 */
abstract class AdminCommand implements Callable<Integer> {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  @Spec CommandSpec spec;

  @Mixin ConnectionOptions connection;

  /** The command itself; returns the exit code. */
  abstract int run(AdminClient client);

  /** Whether this run needs no server (version --client): then run is given no client. */
  boolean offline() {
    return false;
  }

  /** The deadline of each call: --timeout, else 10s. */
  Duration callTimeout() {
    return connection.timeout().orElse(DEFAULT_TIMEOUT);
  }

  @Override
  public final Integer call() {
    PrintWriter err = err();
    try {
      if (offline()) {
        return run(null);
      }
      Connection resolved = connection.resolve(environment());
      warnOfPlaintextToken(resolved, err);
      try (AdminClient client =
          new AdminClient(resolved, environment().transport(), callTimeout())) {
        return run(client);
      }
    } catch (Failure f) {
      f.print(err);
      return f.exitCode();
    } catch (RuntimeException e) {
      return Unexpected.report(e, root().debug(), err);
    } finally {
      out().flush();
      err.flush();
    }
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  Environment environment() {
    return root().environment();
  }

  Input input() {
    return root().input();
  }

  private CommandRoot root() {
    return (CommandRoot) spec.root().userObject();
  }

  private static void warnOfPlaintextToken(Connection c, PrintWriter err) {
    if (c.token().isEmpty() || c.tlsCa().isPresent()) {
      return;
    }
    for (String server : c.servers()) {
      if (!isLoopback(Addresses.parseHostPort(server).host())) {
        err.println("warning: the token is sent to " + server + " in plaintext (no --tls-ca)");
        return;
      }
    }
  }

  private static boolean isLoopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    if (!Addresses.isIpLiteral(host)) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
