package dev.wharf.dataplane;

import dev.wharf.common.BuildInfo;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigException;
import dev.wharf.config.ConfigSummary;
import dev.wharf.proto.config.v1.Config;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Entry point of a data-plane node.
 *
 * <p>What exists so far: the node reads its config file with the shared reader and validator
 * and reports what it would serve. Terminating HTTP and relaying WebSockets is the data-plane
 * issue's work; until then this says so plainly instead of pretending to listen.
 */
@Command(
    name = "wharf-data-plane",
    mixinStandardHelpOptions = true,
    versionProvider = DataPlaneMain.Version.class,
    description = "A Wharf data-plane node.")
public final class DataPlaneMain implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "Config document (YAML or JSON) to run from.")
  private Path config;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DataPlaneMain()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Config loaded;
    try {
      loaded = ConfigDocuments.load(config);
    } catch (IOException e) {
      err.println("error: cannot read " + config + ": " + e);
      return 1;
    } catch (ConfigException e) {
      err.println(config + ": " + e.errors().size() + " error(s)");
      for (ConfigError error : e.errors()) {
        err.println("  " + error);
      }
      return 1;
    }
    out.println(config + ": valid (" + ConfigSummary.of(loaded) + ")");
    for (var l : loaded.getListenersList()) {
      out.println("  listener " + l.getName() + " -> "
          + (l.getAddress().isEmpty() ? "0.0.0.0" : l.getAddress()) + ":" + l.getPort());
    }
    out.println("This build checks configs only: serving HTTP and WebSocket traffic arrives "
        + "with the data-plane work (see README, 'What works today').");
    return 0;
  }

  /** Also tells which Netty transport the node would use, so a broken native jar shows up. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String transport = Epoll.isAvailable()
          ? "epoll (native)"
          : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
      return new String[] {
          "wharf-data-plane " + BuildInfo.version(DataPlaneMain.class),
          BuildInfo.runtime(),
          "Netty transport: " + transport};
    }
  }
}
