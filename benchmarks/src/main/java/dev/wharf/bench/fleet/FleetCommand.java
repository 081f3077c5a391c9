package dev.wharf.bench.fleet;

import dev.wharf.config.DurationFlags;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fleet}: push-to-ACK latency of a config change across N simulated nodes ({@link
 * FleetSimulator}), for each N given. Progress goes to standard error; the Markdown section of the
 * report ({@link FleetMarkdown}) to standard output. Exit status 0 when every run completed with
 * every node ACKing every version.
 */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    description = "Times commit-to-last-ACK of config changes across simulated nodes.")
public final class FleetCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--nodes",
      split = ",",
      paramLabel = "N[,N...]",
      defaultValue = "100,1000",
      description = "Fleet sizes, one run each (default: ${DEFAULT-VALUE}).")
  private List<Integer> nodes;

  @Option(
      names = "--changes",
      paramLabel = "N",
      defaultValue = "100",
      description = "Measured changes per run (default: ${DEFAULT-VALUE}).")
  private int changes;

  @Option(
      names = "--warmup-changes",
      paramLabel = "N",
      defaultValue = "20",
      description = "Changes made first and not counted (default: ${DEFAULT-VALUE}).")
  private int warmupChanges;

  @Option(
      names = "--nodes-per-channel",
      split = ",",
      paramLabel = "N[,N...]",
      defaultValue = "50",
      description =
          "Node streams sharing one gRPC channel, i.e. one TCP connection; one run "
              + "per value and fleet size (default: ${DEFAULT-VALUE}; 1 gives every node its own).")
  private List<Integer> nodesPerChannel;

  @Option(
      names = "--routes",
      paramLabel = "N",
      defaultValue = "100",
      description = "Routes in the pushed config (default: ${DEFAULT-VALUE}).")
  private int routes;

  @Option(
      names = "--ack-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description =
          "Longest wait for every node's ACK of one version (default: " + "${DEFAULT-VALUE}).")
  private Duration ackTimeout;

  @Option(
      names = "--etcd",
      split = ",",
      paramLabel = "URL[,URL...]",
      description =
          "Use this etcd cluster as the store (under a fresh key prefix) instead of "
              + "the embedded file store.")
  private List<URI> etcd = new ArrayList<>();

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new FleetCommand())
            .registerConverter(Duration.class, new DurationFlags.NonNegative())
            .execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<FleetSimulator.Settings> runs = new ArrayList<>();
    try {
      for (int perChannel : nodesPerChannel) {
        for (int n : nodes) {
          runs.add(
              new FleetSimulator.Settings(
                  n, changes, warmupChanges, perChannel, routes, ackTimeout, etcd));
        }
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintStream log = System.err;
    List<FleetResult> results = new ArrayList<>();
    for (FleetSimulator.Settings run : runs) {
      results.add(FleetSimulator.run(run, log));
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.print(FleetMarkdown.fleet(results));
    out.flush();
    boolean clean =
        results.stream()
            .allMatch(
                r ->
                    r.changes().stream()
                        .allMatch(c -> c.ackedNodes() == r.nodes() && c.duplicateAcks() == 0));
    return clean ? 0 : 1;
  }
}
