package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Changes;
import dev.wharf.config.ConfigDocuments.Document;
import dev.wharf.proto.admin.v1.ApplyRequest;
import dev.wharf.proto.admin.v1.ApplyResponse;
import dev.wharf.proto.admin.v1.GetConfigRequest;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Applies a document: merged per object into the current config, or with {@code --prune} made the
 * whole config (the control plane's Apply decides what either means). The write is based on the
 * version the document records ({@code metadata.version}, written by {@code get}), so a change made
 * by someone else since the document was read is refused, not overwritten; {@code --force} bases it
 * on whatever is current instead.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Apply a document: each listener, upstream and route it holds is created or replaced; "
          + "objects it does not name are left alone. With --prune the document is the whole "
          + "config and what it does not hold is deleted (asks first; --yes to not ask).",
      "The document must carry the version it was read at (metadata: {version: N}, as "
          + "'wharfctl get config -o yaml' writes it): if the config has changed since, nothing "
          + "is written (exit 2). --force applies it over whatever is current.",
      "Prints what changed, then the new version."
    },
    footer = {
      "",
      "Examples:",
      "  wharfctl get config -o yaml > wharf.yaml   # edit, then:",
      "  wharfctl apply -f wharf.yaml --dry-run",
      "  wharfctl apply -f wharf.yaml",
      "  wharfctl get upstreams -o yaml | wharfctl apply -f -",
      "  wharfctl apply -f wharf.yaml --prune --yes",
      "",
      "Output:",
      "  + route api",
      "  ~ upstream app: endpoints[1].weight: 1 -> 3",
      "  applied: version 8",
      "",
      "Exit codes: 0 applied (or nothing to change), 1 invalid document, refused as "
          + "invalid, or --prune not confirmed, 2 the config changed since the document was "
          + "read (or it records no version and --force is not given), 3 unreachable or not "
          + "allowed."
    })
public final class ApplyCommand extends AdminCommand {
  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "YAML or JSON config document; - reads standard input.")
  private Path file;

  @Option(names = "--dry-run", description = "Show what would change; write nothing.")
  private boolean dryRun;

  @Option(
      names = "--prune",
      description = "The document is the whole config: delete what it does not hold.")
  private boolean prune;

  @Option(
      names = {"-y", "--yes"},
      description = "With --prune: delete without asking.")
  private boolean yes;

  @Option(
      names = "--allow-empty",
      description = "Allow a write that leaves no listener or no route (the node stops serving).")
  private boolean allowEmpty;

  @Option(
      names = "--force",
      description =
          "Apply over whatever is current: ignore the document's version, or its lack of one.")
  private boolean force;

  @Override
  int run(AdminClient client) {
    Optional<Document> document = Documents.load(file, input(), err(), prune);
    if (document.isEmpty()) {
      return ExitCode.INVALID_INPUT;
    }
    long version = document.get().version();
    if (version == 0 && !force && !dryRun) {
      throw Failure.of(
          ExitCode.CONFLICT,
          Documents.name(file)
              + " records no config version, so a change made since it was written would be "
              + "overwritten: start from 'wharfctl get config -o yaml > wharf.yaml', or pass "
              + "--force");
    }
    if (force || version == 0) {
      version = client.call(s -> s.getConfig(GetConfigRequest.getDefaultInstance())).getVersion();
    }
    ApplyRequest request =
        ApplyRequest.newBuilder()
            .setExpectedVersion(version)
            .setConfig(document.get().config())
            .setPrune(prune)
            .setAllowEmpty(allowEmpty)
            .setDryRun(dryRun)
            .build();
    if (prune && !dryRun && !yes) {
      // With -f - standard input held the document: there is nobody to ask on it.
      boolean canAsk = input().terminal() && !file.toString().equals(Documents.STDIN);
      PruneConfirmation question = new PruneConfirmation(new Input(input().stdin(), canAsk), out());
      if (!question.confirmed(send(client, request.toBuilder().setDryRun(true).build()))) {
        return ExitCode.INVALID_INPUT;
      }
    }
    ApplyResponse response = send(client, request);
    Changes.print(response.getChangesList(), out());
    out().println(Changes.outcome(response.getVersion(), response.getChangesCount() > 0, dryRun));
    return ExitCode.OK;
  }

  /** Sends {@code request}; a stale refusal says how to see what changed, or to --force. */
  private ApplyResponse send(AdminClient client, ApplyRequest request) {
    long version = request.getExpectedVersion();
    try {
      return client.write(version, s -> s.apply(request));
    } catch (Failure f) {
      if (f.exitCode() != ExitCode.CONFLICT || force) {
        throw f;
      }
      long now = client.call(s -> s.getConfig(GetConfigRequest.getDefaultInstance())).getVersion();
      String name = file.toString().equals(Documents.STDIN) ? "FILE" : file.toString();
      throw Failure.of(
          ExitCode.CONFLICT,
          "the config changed since "
              + Documents.name(file)
              + " was read (it records version "
              + version
              + ", the config is now version "
              + now
              + "); nothing was written. See what changed with 'wharfctl diff -f "
              + name
              + "', start again from 'wharfctl get config -o yaml', or pass --force to apply "
              + "it over version "
              + now);
    }
  }
}
