package dev.wharf.bench;

import dev.wharf.config.DurationFlags;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * WebSocket load generator for benchmarks/run.sh. Each mode prints a human line and a {@code result
 * key=value ...} line that the script parses; the exit status is 0 only when every connection
 * opened and closed cleanly.
 */
@Command(
    name = "ws-load",
    mixinStandardHelpOptions = true,
    description =
        "WebSocket load generator (closed-loop echo, idle connections, open+close cycles).",
    subcommands = {WsLoad.Echo.class, WsLoad.Idle.class, WsLoad.Cycles.class})
public final class WsLoad implements Runnable {
  @Spec private CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new WsLoad())
        .registerConverter(Duration.class, new DurationFlags.NonNegative());
  }

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a mode is required: echo, idle or cycles");
  }

  /** Options both modes share. */
  static final class Target {
    @Option(
        names = "--url",
        required = true,
        paramLabel = "URL",
        description = "ws://HOST:PORT/PATH or wss://HOST:PORT/PATH to connect to.")
    URI url;

    @Option(
        names = "--trust",
        paramLabel = "FILE",
        description =
            "PEM certificates the client trusts over wss:// (default: the JDK's trust store).")
    Path trusted;

    @Option(
        names = "--connections",
        paramLabel = "N",
        defaultValue = "50",
        description = "WebSockets to open (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(
        names = "--threads",
        paramLabel = "N",
        defaultValue = "1",
        description = "Client event-loop threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
        names = "--handshake-timeout",
        paramLabel = "DURATION",
        defaultValue = "10s",
        description =
            "Connect plus upgrade time allowed per connection (default: " + "${DEFAULT-VALUE}).")
    Duration handshakeTimeout;

    @Option(
        names = "--max-pending",
        paramLabel = "N",
        defaultValue = "200",
        description = "Handshakes in flight at once (default: ${DEFAULT-VALUE}).")
    int maxPending;

    void validate(CommandSpec spec) {
      if (connections < 1 || threads < 1 || maxPending < 1) {
        throw new ParameterException(
            spec.commandLine(), "--connections, --threads and --max-pending must be at least 1");
      }
      if (trusted != null && !"wss".equals(url.getScheme())) {
        throw new ParameterException(spec.commandLine(), "--trust is for wss:// URLs only");
      }
    }
  }

  @Command(
      name = "echo",
      mixinStandardHelpOptions = true,
      description = "Each connection sends a text message, waits for its echo, sends the next.")
  static final class Echo implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Mixin private Target target;

    @Option(
        names = "--duration",
        paramLabel = "DURATION",
        defaultValue = "15s",
        description = "Measured window, e.g. 15s (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(
        names = "--size",
        paramLabel = "BYTES",
        defaultValue = "64",
        description = "Message payload size (default: ${DEFAULT-VALUE}).")
    private int size;

    @Override
    public Integer call() throws InterruptedException {
      target.validate(spec);
      if (size < 1 || duration.isZero()) {
        throw new ParameterException(spec.commandLine(), "--size and --duration must be > 0");
      }
      EchoLoad.Result r =
          EchoLoad.run(
              target.url,
              target.trusted,
              target.connections,
              target.threads,
              duration,
              size,
              target.handshakeTimeout,
              target.maxPending);
      PrintStream out = System.out;
      LatencyHistogram rtt = r.roundTrips();
      out.printf(
          Locale.ROOT,
          "echo: %d of %d connections opened, %.1f s: %d messages, %.0f msg/s,"
              + " round trip p50 %.3f ms, p99 %.3f ms, max %.3f ms; abnormal closes %d, errors %d%n",
          r.opened(),
          r.connections(),
          r.window().toNanos() / 1e9,
          r.messages(),
          r.messagesPerSecond(),
          millis(rtt.valueAtPercentile(50)),
          millis(rtt.valueAtPercentile(99)),
          millis(rtt.max()),
          r.abnormalCloses(),
          r.errors());
      if (r.firstProblem() != null) {
        out.println("first problem: " + r.firstProblem());
      }
      out.printf(
          Locale.ROOT,
          "result mode=echo connections=%d opened=%d handshake_failures=%d"
              + " seconds=%.3f messages=%d rate=%.1f p50_us=%d p99_us=%d max_us=%d"
              + " abnormal_closes=%d errors=%d%n",
          r.connections(),
          r.opened(),
          r.handshakeFailures(),
          r.window().toNanos() / 1e9,
          r.messages(),
          r.messagesPerSecond(),
          rtt.valueAtPercentile(50) / 1000,
          rtt.valueAtPercentile(99) / 1000,
          rtt.max() / 1000,
          r.abnormalCloses(),
          r.errors());
      return r.clean() ? 0 : 1;
    }
  }

  @Command(
      name = "idle",
      mixinStandardHelpOptions = true,
      description = "Opens the connections, prints 'ready K', holds them idle, closes with 1000.")
  static final class Idle implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Mixin private Target target;

    @Option(
        names = "--hold-file",
        paramLabel = "FILE",
        description = "Hold until this file is deleted (default: until standard input closes).")
    private Path holdFile;

    @Option(
        names = "--max-hold",
        paramLabel = "DURATION",
        defaultValue = "30m",
        description = "Release after this long whatever happens (default: ${DEFAULT-VALUE}).")
    private Duration maxHold;

    @Override
    public Integer call() throws InterruptedException {
      target.validate(spec);
      PrintStream out = System.out;
      IdleLoad.Result r =
          IdleLoad.run(
              target.url,
              target.trusted,
              target.connections,
              target.threads,
              target.handshakeTimeout,
              target.maxPending,
              holdFile,
              maxHold,
              out);
      out.printf(
          Locale.ROOT,
          "idle: %d of %d connections opened, held %.1f s; abnormal closes %d," + " errors %d%n",
          r.opened(),
          r.connections(),
          r.held().toNanos() / 1e9,
          r.abnormalCloses(),
          r.errors());
      if (r.firstProblem() != null) {
        out.println("first problem: " + r.firstProblem());
      }
      out.printf(
          Locale.ROOT,
          "result mode=idle connections=%d opened=%d handshake_failures=%d open_s=%.3f"
              + " open_rate=%.1f held_s=%.1f abnormal_closes=%d errors=%d%n",
          r.connections(),
          r.opened(),
          r.handshakeFailures(),
          r.opening().toNanos() / 1e9,
          r.openingRate(),
          r.held().toNanos() / 1e9,
          r.abnormalCloses(),
          r.errors());
      return r.clean() ? 0 : 1;
    }
  }

  @Command(
      name = "cycles",
      mixinStandardHelpOptions = true,
      description =
          "Opens --connections WebSockets one after another, --max-pending in flight, each closed"
              + " with 1000 as soon as it is open.")
  static final class Cycles implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Mixin private Target target;

    @Override
    public Integer call() throws InterruptedException {
      target.validate(spec);
      CyclesLoad.Result r =
          CyclesLoad.run(
              target.url,
              target.trusted,
              target.connections,
              target.threads,
              target.handshakeTimeout,
              target.maxPending);
      PrintStream out = System.out;
      LatencyHistogram times = r.cycleTimes();
      out.printf(
          Locale.ROOT,
          "cycles: %d of %d opened and closed in %.1f s: %.0f cycles/s, cycle p50 %.3f ms,"
              + " p99 %.3f ms; abnormal closes %d, errors %d%n",
          r.opened(),
          r.cycles(),
          r.window().toNanos() / 1e9,
          r.cyclesPerSecond(),
          millis(times.valueAtPercentile(50)),
          millis(times.valueAtPercentile(99)),
          r.abnormalCloses(),
          r.errors());
      if (r.firstProblem() != null) {
        out.println("first problem: " + r.firstProblem());
      }
      out.printf(
          Locale.ROOT,
          "result mode=cycles connections=%d opened=%d handshake_failures=%d seconds=%.3f"
              + " rate=%.1f p50_us=%d p99_us=%d max_us=%d abnormal_closes=%d errors=%d%n",
          r.cycles(),
          r.opened(),
          r.handshakeFailures(),
          r.window().toNanos() / 1e9,
          r.cyclesPerSecond(),
          times.valueAtPercentile(50) / 1000,
          times.valueAtPercentile(99) / 1000,
          times.max() / 1000,
          r.abnormalCloses(),
          r.errors());
      return r.clean() ? 0 : 1;
    }
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
