package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.client.Environment;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.DurationText;
import dev.wharf.config.DurationFlags;
import dev.wharf.proto.admin.v1.GetRolloutRequest;
import dev.wharf.proto.admin.v1.NodeRefusal;
import dev.wharf.proto.admin.v1.RolloutStatus;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * How far a version has got across the fleet; with {@code --wait}, polls until every node runs it,
 * one refuses it, or the wait's time is up. Time comes from the {@link Environment}, so tests wait
 * without sleeping.
 */
@Command(
    name = "rollout",
    mixinStandardHelpOptions = true,
    subcommands = RolloutRetryCommand.class,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Show how far a version (default: the latest) has got: on how many nodes it is "
          + "applied, which refused it and why, which have not answered yet.",
      "With --wait, poll until every node applied it (exit 0), a node refused it (exit 4), "
          + "or --timeout passed (exit 4, naming the nodes still pending).",
      "Nodes count while the replicas remember them (--node-memory, default 10m), connected "
          + "or not: a node whose replica hung is pending (unknown), never left out.",
      "A refused version is not pushed to that node again; 'rollout retry' pushes it once more."
    },
    footer = {
      "",
      "Example:",
      "  wharfctl rollout 42 --wait --timeout 1m",
      "  version 42: applied on 97/100 nodes, refused by 2:",
      "    node-7: listeners[0].port: port 80 is in use",
      "    node-9: listeners[0].port: port 80 is in use",
      "  pending (1): node-3",
      "",
      "Exit codes: 0 applied on every node (without --wait: no node refused it), 1 no such "
          + "version, 3 unreachable or not allowed, 4 refused by a node, or --wait timed out."
    })
public final class RolloutCommand extends AdminCommand {
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "VERSION",
      description = "The version to follow (default: the latest).")
  private Long version;

  @Option(names = "--wait", description = "Poll until the rollout is done, refused or timed out.")
  private boolean wait;

  @Option(
      names = "--interval",
      paramLabel = "DURATION",
      converter = DurationFlags.Positive.class,
      defaultValue = "1s",
      description = "With --wait: time between two polls (default 1s).")
  private Duration interval;

  /** With --wait, each call's deadline is the usual 10s, cut to the whole wait if shorter. */
  @Override
  Duration callTimeout() {
    if (!wait) {
      return super.callTimeout();
    }
    Duration whole = waitTimeout();
    return whole.compareTo(DEFAULT_TIMEOUT) < 0 ? whole : DEFAULT_TIMEOUT;
  }

  private Duration waitTimeout() {
    return connection.timeout().orElse(DEFAULT_WAIT);
  }

  @Override
  int run(AdminClient client) {
    if (version != null && version < 1) {
      throw Failure.invalidInput("VERSION " + version + " (expected: >= 1)");
    }
    RolloutStatus status = poll(client, version == null ? 0 : version);
    if (!wait) {
      print(status, out());
      return status.getRefusedCount() > 0 ? refused(status) : ExitCode.OK;
    }
    long target = status.getVersion(); // a newer commit while waiting does not move the target
    Clock clock = environment().clock();
    Instant deadline = clock.instant().plus(waitTimeout());
    RolloutProgress progress = new RolloutProgress(status);
    while (true) {
      if (status.getRefusedCount() > 0) {
        print(status, out());
        return refused(status);
      }
      if (status.getPendingCount() == 0) {
        print(status, out());
        return ExitCode.OK;
      }
      Duration left = Duration.between(clock.instant(), deadline);
      if (left.isNegative() || left.isZero()) {
        print(status, out());
        throw Failure.of(
            ExitCode.ROLLOUT_FAILED,
            "version "
                + target
                + " is not applied on every "
                + "node after "
                + DurationText.of(waitTimeout())
                + "; still pending on "
                + status.getPendingCount()
                + ": "
                + PendingNodes.describe(client, status.getPendingList()));
      }
      try {
        environment().sleeper().sleep(interval.compareTo(left) < 0 ? interval : left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        print(status, out());
        throw Failure.of(
            ExitCode.ROLLOUT_FAILED, "interrupted while waiting for version " + target);
      }
      status = poll(client, target);
      progress.update(status, out());
    }
  }

  private static RolloutStatus poll(AdminClient client, long version) {
    GetRolloutRequest request = GetRolloutRequest.newBuilder().setVersion(version).build();
    return client.call(s -> s.getRollout(request));
  }

  private int refused(RolloutStatus status) {
    err()
        .println(
            "error: version "
                + status.getVersion()
                + " was refused by "
                + status.getRefusedCount()
                + (status.getRefusedCount() == 1 ? " node" : " nodes"));
    return ExitCode.ROLLOUT_FAILED;
  }

  /** The status, as in the footer's example. */
  static void print(RolloutStatus s, PrintWriter out) {
    String head = "version " + Long.toUnsignedString(s.getVersion()) + ": ";
    if (s.getNodes() == 0 && s.getRefusedCount() == 0 && s.getPendingCount() == 0) {
      out.println(head + "no nodes");
      return;
    }
    head += "applied on " + s.getApplied() + "/" + s.getNodes() + " nodes";
    if (s.getRefusedCount() == 0) {
      out.println(head);
    } else {
      out.println(head + ", refused by " + s.getRefusedCount() + ":");
      for (NodeRefusal r : s.getRefusedList()) {
        String[] lines = r.getReason().strip().split("\n");
        out.println("  " + r.getNodeId() + ": " + lines[0]);
        for (int i = 1; i < lines.length; i++) {
          out.println("    " + lines[i].strip());
        }
      }
    }
    if (s.getPendingCount() > 0) {
      out.println(
          "pending (" + s.getPendingCount() + "): " + String.join(", ", s.getPendingList()));
    }
  }
}
