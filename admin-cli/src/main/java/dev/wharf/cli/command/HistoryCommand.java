package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.FleetTrees;
import dev.wharf.cli.output.Format;
import dev.wharf.cli.output.Table;
import dev.wharf.cli.output.Timestamps;
import dev.wharf.cli.output.Trees;
import dev.wharf.proto.admin.v1.HistoryEntry;
import dev.wharf.proto.admin.v1.ListHistoryRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Past versions, newest first: who committed what, when. */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = "List the config's past versions, newest first.",
    footer = {
      "",
      "Example:",
      "  wharfctl history --limit 3",
      "  VERSION   TIME                   WHO     SUMMARY",
      "  9         2025-03-01T09:30:00Z   alice   - route old-docs",
      "",
      "Times are UTC. Any VERSION can be made current again with wharfctl rollback VERSION.",
      "Exit codes: 0 shown, 3 unreachable or not allowed."
    })
public final class HistoryCommand extends AdminCommand {
  @Option(
      names = "--limit",
      paramLabel = "N",
      description = "At most N versions (default: the control plane's, 20).")
  private Integer limit;

  @Mixin private TreeFormat output;

  @Override
  int run(AdminClient client) {
    Format format = output.get("history");
    if (limit != null && limit < 1) {
      throw Failure.invalidInput("--limit " + limit + " (expected: >= 1)");
    }
    ListHistoryRequest request =
        ListHistoryRequest.newBuilder().setLimit(limit == null ? 0 : limit).build();
    List<HistoryEntry> entries = client.call(s -> s.listHistory(request)).getEntriesList();
    if (format != Format.TABLE) {
      out().print(Trees.print(FleetTrees.history(entries), format));
      return ExitCode.OK;
    }
    if (entries.isEmpty()) {
      out().println("no history");
      return ExitCode.OK;
    }
    Table table = new Table("VERSION", "TIME", "WHO", "SUMMARY");
    for (HistoryEntry e : entries) {
      table.row(
          Long.toUnsignedString(e.getVersion()),
          Timestamps.of(e.getCommittedAt()),
          e.getPrincipal(),
          firstLine(e.getSummary()));
    }
    table.print(out());
    return ExitCode.OK;
  }

  static String firstLine(String text) {
    String s = text.strip();
    int newline = s.indexOf('\n');
    return newline < 0 ? s : s.substring(0, newline) + " ...";
  }
}
