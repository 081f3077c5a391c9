package dev.wharf.bench;

import dev.wharf.bench.fleet.FleetCommand;
import dev.wharf.bench.fleet.SnapshotBuildCommand;
import java.util.Arrays;

/**
 * The benchmark jar's entry point: {@code java -jar wharf-benchmarks.jar TOOL ARGS...}, one tool
 * per step of benchmarks/run.sh and benchmarks/fleet.sh.
 */
public final class BenchMain {
  private static final String USAGE =
      """
      usage: java -jar wharf-benchmarks.jar TOOL [ARGS...]
        backend [PORT]               HTTP 200 'hello' and a /ws echo on 127.0.0.1 (BenchBackend)
        ws-load echo|idle OPTIONS    WebSocket load generator (WsLoad; ws-load --help)
        probe URL [WAIT_SECONDS]     exit 0 only if URL answers the backend's 200 'hello'
        free-ports N                 print N free loopback ports
        report OPTIONS               render benchmark results as Markdown (report --help)
        fleet OPTIONS                commit-to-last-ACK latency across simulated nodes (fleet --help)
        snapshot-build OPTIONS       node compile+swap and route lookup time by size (snapshot-build --help)
        drain OPTIONS                time to move N WebSockets off a removed endpoint (DrainBench)""";

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println(USAGE);
      System.exit(2);
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "backend" -> BenchBackend.main(rest);
      case "ws-load" -> WsLoad.main(rest);
      case "probe" -> Probe.main(rest);
      case "free-ports" -> FreePorts.main(rest);
      case "report" -> Report.main(rest);
      case "fleet" -> FleetCommand.main(rest);
      case "snapshot-build" -> SnapshotBuildCommand.main(rest);
      case "drain" -> DrainBench.main(rest);
      default -> {
        System.err.println("unknown tool: " + args[0] + "\n" + USAGE);
        System.exit(2);
      }
    }
  }
}
