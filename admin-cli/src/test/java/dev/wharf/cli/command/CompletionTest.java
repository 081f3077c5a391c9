package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.proto.discovery.v1.NodeStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a TAB offers: {@code wharfctl __complete -- WORD... CURRENT}, as the shell scripts call it,
 * against the control plane's real Admin service holding the demo config (routes hello, api, ws,
 * old-docs, echo; upstreams app, echo). The scripts themselves run in a real bash in WharfCtlJarIT.
 */
class CompletionTest {
  @TempDir Path home;
  private Cli cli;

  @BeforeEach
  void serve() {
    cli = new Cli(home);
    cli.serveReal("cp-1:9700")
        .node(node("node-1"))
        .node(node("node-2"))
        .node(node("edge-7"))
        .commit(Configs.demo());
    cli.env.put("WHARF_SERVER", "cp-1:9700");
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void theNameAfterAKindIsCompletedFromTheServerNotWithTheRouteCommandsSet() {
    assertEquals(List.of("hello", "api", "ws", "old-docs", "echo"), complete("get", "route", ""));
    assertEquals(List.of("app", "echo"), complete("get", "upstreams", ""));
    assertEquals(List.of("demo", "echo"), complete("delete", "listener", ""));
    assertEquals(List.of("echo"), complete("get", "route", "e"));
  }

  @Test
  void commandsKindsAndSubcommandsAreCompletedFromTheCommandTree() {
    assertEquals(List.of("get"), complete("ge"));
    assertEquals(List.of("listener", "upstream", "route", "config", "nodes"), complete("get", ""));
    assertEquals(List.of("route"), complete("get", "ro"));
    assertEquals(List.of("set"), complete("route", ""));
    assertEquals(List.of("bash", "zsh", "fish"), complete("completion", ""));
  }

  @Test
  void flagsAndTheirValuesAreCompleted() {
    assertEquals(List.of("--output"), complete("get", "route", "--ou"));
    assertEquals(
        List.of("table", "wide", "name", "yaml", "json", "jsonpath="),
        complete("get", "route", "-o", ""));
    assertEquals(List.of("yaml"), complete("get", "route", "--output", "=", "y"));
    assertEquals(List.of("app", "echo"), complete("route", "set", "api", "--upstream", ""));
    assertEquals(
        List.of("hello", "api"), complete("route", "set", "new", "--before", "").subList(0, 2));
  }

  @Test
  void routeSetDrainAndHealthCompleteTheirNamesFromTheServer() {
    assertEquals(List.of("api"), complete("route", "set", "a"));
    assertEquals(List.of("node-1", "node-2"), complete("drain", "node"));
    assertEquals(List.of("app"), complete("health", "a"));
  }

  @Test
  void aFileIsLeftToTheShell() {
    assertEquals(List.of(":file"), complete("validate", "-f", ""));
    assertEquals(List.of(":file"), complete("import-nginx", ""));
  }

  @Test
  void theServerTypedOnTheLineIsTheOneAsked() {
    cli.serveReal("cp-2:9700")
        .commit(
            ConfigDocuments.parse(
                    "upstreams: [{name: other, endpoints: [{address: \"10.0.0.1:80\"}]}]", "t")
                .config());

    assertEquals(List.of("other"), complete("get", "--server", "cp-2:9700", "upstream", ""));
    assertEquals(List.of("other"), complete("get", "upstream", "--server=cp-2:9700", ""));
  }

  @Test
  void anUnreachableServerOffersNothingAndSaysNothing() {
    Result r = cli.run("__complete", "--", "get", "--server", "nowhere:1", "route", "");

    assertEquals(new Result(0, "", ""), r);
  }

  @Test
  void anUnknownKindOrACommandWithoutParametersOffersNothing() {
    assertEquals(List.of(), complete("get", "pods", ""));
    assertEquals(List.of(), complete("nodes", ""));
    assertEquals(List.of(), complete("no-such-command", ""));
  }

  private List<String> complete(String... words) {
    List<String> args = new ArrayList<>(List.of("__complete", "--"));
    args.addAll(List.of(words));
    Result r = cli.run(args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("", r.err(), r.toString());
    return r.out().lines().toList();
  }

  private static NodeStatus node(String id) {
    return NodeStatus.newBuilder().setNodeId(id).setReplica("cp-1").build();
  }
}
