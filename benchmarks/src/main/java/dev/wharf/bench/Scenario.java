package dev.wharf.bench;

import java.util.List;
import java.util.Optional;

/**
 * A scenario of benchmarks/run.sh as the report names it: what its value is, which way is better,
 * what its p99 times (null: none) and what its CPU is counted per (null: not counted).
 */
record Scenario(
    String id, String title, String unit, boolean higherIsBetter, String p99Of, String per) {

  static final List<Scenario> ALL =
      List.of(
          new Scenario(
              "http-small", "HTTP small (6-byte body)", "req/s", true, "request", "request"),
          new Scenario("http-1k", "HTTP 1 KiB body", "req/s", true, "request", "request"),
          new Scenario(
              "http-close",
              "HTTP, new connection per request",
              "req/s",
              true,
              "request",
              "request"),
          new Scenario(
              "ws-echo",
              "WebSocket echo (64-byte messages)",
              "msg/s",
              true,
              "round trip",
              "message"),
          new Scenario(
              "ws-open",
              "WebSocket opens (while establishing the idle ones)",
              "conns/s",
              true,
              null,
              "connection"),
          new Scenario(
              "ws-idle", "Idle WebSocket memory (RSS growth)", "KiB/conn", false, null, null),
          new Scenario(
              "ws-cycles", "WebSocket open+close cycles", "cycles/s", true, "cycle", "cycle"),
          new Scenario(
              "rest", "Resting RSS before the first connection", "MiB", false, null, null));

  static Optional<Scenario> byId(String id) {
    return ALL.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  int valueDecimals() {
    return switch (unit) {
      case "KiB/conn" -> 2;
      case "MiB" -> 1;
      default -> 0;
    };
  }
}
