package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.output.Format;
import dev.wharf.cli.output.Timestamps;
import dev.wharf.cli.output.Trees;
import dev.wharf.common.BuildInfo;
import dev.wharf.proto.admin.v1.GetServerInfoRequest;
import dev.wharf.proto.admin.v1.ServerInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The version of wharfctl and of the control-plane replica that answers. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Print wharfctl's version and that of the control-plane replica that answers (its id, "
          + "its store, its runtime). --client prints wharfctl's alone, without a server."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl version",
      "  Client Version: 0.1.0",
      "  Client Runtime: Java 17.0.13+11 (OpenJDK 64-Bit Server VM), Linux amd64",
      "  Server Version: 0.1.0",
      "  Server Replica: cp-1",
      "  Server Store:   etcd",
      "  Server Runtime: Java 17.0.13+11 (OpenJDK 64-Bit Server VM), Linux amd64",
      "  Server Started: 2025-03-01T09:00:00Z",
      "",
      "Exit codes: 0 shown, 3 unreachable or not allowed (the client's version is printed first)."
    })
public final class VersionCommand extends AdminCommand {
  @Option(names = "--client", description = "Only wharfctl's version; no server is asked.")
  private boolean clientOnly;

  @Mixin private TreeFormat output;

  @Override
  boolean offline() {
    return clientOnly;
  }

  @Override
  int run(AdminClient client) {
    Format format = output.get("version");
    Map<String, Object> tree = new LinkedHashMap<>();
    Map<String, Object> client0 = new LinkedHashMap<>();
    client0.put("version", clientVersion());
    client0.put("runtime", BuildInfo.runtime());
    tree.put("client", client0);
    if (format == Format.TABLE) {
      out().println("Client Version: " + clientVersion());
      out().println("Client Runtime: " + BuildInfo.runtime());
      out().flush();
    }
    if (client != null) {
      ServerInfo info =
          client.call(s -> s.getServerInfo(GetServerInfoRequest.getDefaultInstance()));
      if (format == Format.TABLE) {
        out().println("Server Version: " + info.getVersion());
        out().println("Server Replica: " + info.getReplicaId());
        out().println("Server Store:   " + info.getStore());
        out().println("Server Runtime: " + info.getRuntime());
        out().println("Server Started: " + Timestamps.of(info.getStartedAt()));
      }
      Map<String, Object> server = new LinkedHashMap<>();
      server.put("version", info.getVersion());
      server.put("replica_id", info.getReplicaId());
      server.put("store", info.getStore());
      server.put("runtime", info.getRuntime());
      server.put("started_at", Timestamps.of(info.getStartedAt()));
      tree.put("server", server);
    }
    if (format != Format.TABLE) {
      out().print(Trees.print(tree, format));
    }
    return ExitCode.OK;
  }

  /** From the jar's manifest; {@code dev} when run from classes. */
  static String clientVersion() {
    return BuildInfo.version(VersionCommand.class);
  }
}
