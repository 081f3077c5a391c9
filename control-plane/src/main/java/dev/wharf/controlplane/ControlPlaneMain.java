package dev.wharf.controlplane;

import dev.wharf.common.BuildInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of a control-plane replica. The server itself (etcd store, discovery streams,
 * Admin API) is the control-plane issue's work; until then this entry point only identifies
 * itself and says so, rather than pretending to serve.
 */
@Command(
    name = "wharf-control-plane",
    mixinStandardHelpOptions = true,
    versionProvider = ControlPlaneMain.Version.class,
    description = "A Wharf control-plane replica.")
public final class ControlPlaneMain implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ControlPlaneMain()).execute(args));
  }

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("The control-plane server is not built yet; "
        + "see README, 'What works today'. Use wharfctl validate to check configs.");
    return 2;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
          "wharf-control-plane " + BuildInfo.version(ControlPlaneMain.class),
          BuildInfo.runtime()};
    }
  }
}
