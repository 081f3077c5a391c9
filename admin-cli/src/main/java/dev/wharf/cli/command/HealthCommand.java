package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.output.FleetTrees;
import dev.wharf.cli.output.Format;
import dev.wharf.cli.output.Table;
import dev.wharf.cli.output.Trees;
import dev.wharf.proto.admin.v1.EndpointHealth;
import dev.wharf.proto.admin.v1.GetEndpointHealthRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** How the nodes see an upstream's endpoints: healthy, unhealthy, or not known, by how many. */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Show the health of an upstream's endpoints: for each, how many nodes see it healthy, "
          + "unhealthy, or have no opinion (no health check, or not checked yet)."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl health app",
      "  ADDRESS         HEALTHY   UNHEALTHY   UNKNOWN",
      "  10.0.0.5:9000   3         0           0",
      "  10.0.0.6:9000   1         2           0",
      "",
      "Exit codes: 0 shown, 1 no such upstream, 3 unreachable or not allowed."
    })
public final class HealthCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "UPSTREAM")
  private String upstream;

  @Mixin private TreeFormat output;

  @Override
  int run(AdminClient client) {
    Format format = output.get("health");
    GetEndpointHealthRequest request =
        GetEndpointHealthRequest.newBuilder().setUpstream(upstream).build();
    List<EndpointHealth> endpoints =
        client.call(s -> s.getEndpointHealth(request)).getEndpointsList();
    if (format != Format.TABLE) {
      out().print(Trees.print(FleetTrees.health(upstream, endpoints), format));
      return ExitCode.OK;
    }
    if (endpoints.isEmpty()) {
      out().println("no endpoints");
      return ExitCode.OK;
    }
    Table table = new Table("ADDRESS", "HEALTHY", "UNHEALTHY", "UNKNOWN");
    for (EndpointHealth e : endpoints) {
      table.row(e.getAddress(), e.getHealthyNodes(), e.getUnhealthyNodes(), e.getUnknownNodes());
    }
    table.print(out());
    return ExitCode.OK;
  }
}
