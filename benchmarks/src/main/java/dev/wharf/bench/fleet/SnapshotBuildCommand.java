package dev.wharf.bench.fleet;

import dev.wharf.config.DurationFlags;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code snapshot-build}: a node's compile-and-swap time and its route lookup time, for configs of
 * several sizes ({@link SnapshotBuild}). Progress goes to standard error, the Markdown section of
 * the report ({@link FleetMarkdown}) to standard output.
 */
@Command(
    name = "snapshot-build",
    mixinStandardHelpOptions = true,
    description = "Times DataPlaneNode.apply and route lookups for configs of several sizes.")
public final class SnapshotBuildCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(
      names = "--routes",
      split = ",",
      paramLabel = "N[,N...]",
      defaultValue = "10,1000,10000",
      description = "Config sizes in routes, smallest first (default: ${DEFAULT-VALUE}).")
  private List<Integer> routes;

  @Option(
      names = "--applies",
      paramLabel = "N",
      defaultValue = "100",
      description = "Timed applies per size (default: ${DEFAULT-VALUE}).")
  private int applies;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "20",
      description = "Warm-up applies of every size, not timed (default: ${DEFAULT-VALUE}).")
  private int warmup;

  @Option(
      names = "--regex-per-host",
      paramLabel = "N",
      defaultValue = "" + FleetConfigs.REGEX_PER_HOST,
      description =
          "Regex routes per virtual host, at most one per five routes "
              + "(default: ${DEFAULT-VALUE}).")
  private int regexPerHost;

  @Option(
      names = "--lookup-samples",
      paramLabel = "N",
      defaultValue = "8192",
      description = "Distinct requests in the lookup mix (default: ${DEFAULT-VALUE}).")
  private int lookupSamples;

  @Option(
      names = "--lookup-hot-set",
      paramLabel = "N",
      defaultValue = "64",
      description = "Requests in the hot set, timed apart (default: ${DEFAULT-VALUE}).")
  private int lookupHotSet;

  @Option(
      names = "--lookup-rounds",
      paramLabel = "N",
      defaultValue = "15",
      description = "Timed lookup rounds (default: ${DEFAULT-VALUE}).")
  private int lookupRounds;

  @Option(
      names = "--lookup-warmup",
      paramLabel = "DURATION",
      defaultValue = "3s",
      description = "Lookup warm-up over all sizes (default: ${DEFAULT-VALUE}).")
  private Duration lookupWarmup;

  @Option(
      names = "--lookup-round-time",
      paramLabel = "DURATION",
      defaultValue = "200ms",
      description = "Lookup time per size and round (default: ${DEFAULT-VALUE}).")
  private Duration lookupRoundTime;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "1",
      description = "The node's event-loop threads (default: ${DEFAULT-VALUE}).")
  private int workers;

  public static void main(String[] args) {
    System.exit(
        new CommandLine(new SnapshotBuildCommand())
            .registerConverter(Duration.class, new DurationFlags.NonNegative())
            .execute(args));
  }

  @Override
  public Integer call() throws Exception {
    SnapshotBuild.Settings settings;
    try {
      settings =
          new SnapshotBuild.Settings(
              routes,
              applies,
              warmup,
              regexPerHost,
              lookupSamples,
              lookupHotSet,
              lookupRounds,
              lookupWarmup,
              lookupRoundTime,
              workers);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    List<SnapshotBuild.SizeResult> results = SnapshotBuild.run(settings, System.err);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.print(FleetMarkdown.snapshots(results, settings));
    out.flush();
    return 0;
  }
}
