package dev.wharf.systemtest.deploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.systemtest.deploy.Dockerfile.Instruction;
import dev.wharf.systemtest.deploy.Dockerfile.Stage;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/docker/Dockerfile} without a Docker engine: it passes dockerfilelint, builds the
 * jars with the README's command and copies exactly the jars that command produces, exposes the
 * ports the parts listen on by default, runs as a non-root user, and its health check command
 * really tells a serving process from a dead one.
 */
class DeployDockerfileIT {
  private static final Path DIR = Deploy.DEPLOY.resolve("docker");
  private static final Path FILE = DIR.resolve("Dockerfile");
  private static final Path HEALTHCHECK = DIR.resolve("healthcheck.sh");
  private static final Duration BOUND = Duration.ofSeconds(60);

  /** The runnable targets and the jar each must run. */
  private static final Map<String, String> TARGETS =
      Map.of(
          "control-plane", "control-plane/target/wharf-control-plane.jar",
          "data-plane", "data-plane/target/wharf-data-plane.jar",
          "wharfctl", "admin-cli/target/wharf-admin-cli.jar",
          "demo-backend", "benchmarks/target/wharf-benchmarks.jar");

  private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final Dockerfile dockerfile = Dockerfile.parse(FILE);

  @TempDir Path dir;

  @Test
  void dockerfilelintFindsNoIssue() {
    Path lint = Deploy.tool("dockerfilelint", "npm install -g dockerfilelint@1.8.0; .ci/run does");
    CommandRunner.Result r = CommandRunner.run(BOUND, List.of(lint.toString(), FILE.toString()));
    assertEquals(0, r.exitCode(), "dockerfilelint " + FILE + "\n" + r);
  }

  @Test
  void buildStageRunsTheReadmesPackageCommand() {
    String readme = Deploy.read(Deploy.REPO.resolve("README.md"));
    String command = "./mvnw -B -DskipTests package";
    assertTrue(readme.contains(command), "the README builds the jars with: " + command);
    Stage build = dockerfile.stages().get("build");
    assertNotNull(build, "a stage named build: " + dockerfile.stages().keySet());
    assertTrue(
        build.all("RUN").stream().anyMatch(r -> r.args().endsWith(command)),
        "the build stage runs " + command + ": " + build.all("RUN"));
  }

  @Test
  void everyCopyTakesAFileTheRepositoryOrTheBuildReallyHas() {
    List<String> problems = new ArrayList<>();
    for (Stage stage : dockerfile.stages().values()) {
      for (Instruction copy : stage.all("COPY")) {
        List<String> words = List.of(copy.args().split("\\s+"));
        boolean fromBuild = words.get(0).equals("--from=build");
        List<String> sources = words.subList(fromBuild ? 1 : 0, words.size() - 1);
        for (String source : sources) {
          if (source.startsWith("--") || source.equals(".")) {
            continue;
          }
          // The build stage works in /src, a copy of the repository: its jars are the ones the
          // same package command built here before this test ran.
          String relative = fromBuild ? source.replaceFirst("^/src/", "") : source;
          if (!Files.isRegularFile(Deploy.REPO.resolve(relative))) {
            problems.add("line " + copy.line() + ": " + source + " (" + relative + " missing)");
          }
        }
      }
    }
    assertEquals(List.of(), problems, "COPY sources that do not exist");
  }

  @Test
  void eachTargetRunsItsOwnJarAsANonRootUser() {
    assertAll(
        TARGETS.entrySet().stream()
            .map(
                target ->
                    () -> {
                      String name = target.getKey();
                      Stage stage = dockerfile.stages().get(name);
                      assertNotNull(stage, "a target named " + name);
                      String jarFile = Path.of(target.getValue()).getFileName().toString();
                      Instruction copy =
                          stage.all("COPY").stream()
                              .filter(
                                  c ->
                                      c.args()
                                          .startsWith(
                                              "--from=build /src/" + target.getValue() + " "))
                              .findFirst()
                              .orElseThrow(
                                  () -> new AssertionError(name + " copies " + target.getValue()));
                      String destination = copy.args().substring(copy.args().lastIndexOf(' ') + 1);
                      assertTrue(destination.endsWith("/" + jarFile), name + ": " + copy);
                      String entrypoint =
                          String.join(" ", execForm(dockerfile.effective(name, "ENTRYPOINT")));
                      assertTrue(
                          entrypoint.contains("-jar " + destination + " "),
                          name + " runs the jar it copied: " + entrypoint);
                      Instruction user = dockerfile.effective(name, "USER");
                      assertNotNull(user, name + " sets a USER");
                      String uid = user.args().split(":")[0];
                      assertTrue(
                          uid.matches("\\d+") && !uid.equals("0"),
                          name
                              + " runs as a numeric non-root uid (Kubernetes' runAsNonRoot checks it): "
                              + user);
                    }));
  }

  @Test
  void pulledBaseImagesNameAVersion() {
    List<String> pulled =
        dockerfile.stages().values().stream()
            .map(Stage::from)
            .filter(from -> !dockerfile.stages().containsKey(from))
            .toList();
    assertTrue(pulled.size() >= 2, "a JDK to build with and a JRE to run on: " + pulled);
    for (String image : pulled) {
      String tag = image.contains(":") ? image.substring(image.lastIndexOf(':') + 1) : "";
      assertTrue(tag.matches("\\d+.*"), image + " names a version");
    }
  }

  @Test
  void exposedPortsAndHealthChecksAreTheOnesThePartsListenOn() throws Exception {
    int metrics = Deploy.port(Deploy.defaultAddress(Deploy.CONTROL_PLANE_JAR, "--metrics"));
    int grpc = Deploy.port(Deploy.defaultAddress(Deploy.CONTROL_PLANE_JAR, "--listen"));
    int admin = Deploy.port(Deploy.defaultAddress(Deploy.DATA_PLANE_JAR, "--admin"));
    // The listener port is config: the one the Kubernetes bootstrap config and the examples use.
    int web = DeployKubernetesIT.bootstrapListenerPort();

    Stage cp = dockerfile.stages().get("control-plane");
    assertEquals(Set.of(grpc, metrics), exposed(cp), "control plane: gRPC and metrics");
    Instruction env = cp.last("ENV");
    assertTrue(
        env.args().contains("WHARF_LISTEN=0.0.0.0:" + grpc)
            && env.args().contains("WHARF_METRICS=0.0.0.0:" + metrics),
        "the replica listens on the exposed ports on every interface: " + env);
    assertEquals(
        List.of("wharf-healthcheck", Integer.toString(metrics), "/healthz"),
        healthcheck(cp),
        "control plane health check");

    Stage node = dockerfile.stages().get("data-plane");
    assertEquals(Set.of(web, admin), exposed(node), "node: the web listener and the admin port");
    assertEquals(
        List.of("wharf-healthcheck", Integer.toString(admin), "/healthz"),
        healthcheck(node),
        "node health check");
    List<String> cmd = execForm(node.last("CMD"));
    assertEquals(
        "0.0.0.0:" + admin,
        Deploy.option(Deploy.options(cmd), "--admin"),
        "the default command serves the admin port on every interface: " + cmd);
    assertTrue(
        Deploy.flags(Deploy.DATA_PLANE_JAR)
            .containsAll(Deploy.options(cmd).keySet().stream().filter(k -> !k.isEmpty()).toList()),
        "the default command's flags exist: " + cmd);
  }

  /**
   * The image's health check script, run here against real processes: 0 for a serving node and
   * replica, 1 for a closed port and for a path that is not 200.
   */
  @Test
  void healthcheckScriptTellsServingProcessesFromDeadOnes() throws Exception {
    Path config = dir.resolve("wharf.yaml");
    // The listener's port is written into the file: on a taken one the node is started again on
    // another. Its admin binds port 0 and says which.
    try (JarProcess node =
            FreePorts.retryWhenTaken(
                1,
                ports -> {
                  Files.writeString(
                      config,
                      """
                      listeners: [{name: web, address: 127.0.0.1, port: %d}]
                      routes: [{name: all, match: {path: {prefix: /}}, respond: {body: ok}}]
                      """
                          .formatted(ports.get(0)));
                  JarProcess started =
                      JarProcess.startJar(
                          "node",
                          dir,
                          Deploy.DATA_PLANE_JAR,
                          List.of("--config", config.toString(), "--admin", "127.0.0.1:0"));
                  try {
                    started.awaitStarted("listening:", BOUND);
                  } catch (Exception | AssertionError e) {
                    started.close();
                    throw e;
                  }
                  return started;
                });
        JarProcess replica =
            JarProcess.startJar(
                "replica",
                dir,
                Deploy.CONTROL_PLANE_JAR,
                List.of(
                    "--listen",
                    "127.0.0.1:0",
                    "--metrics",
                    "127.0.0.1:0",
                    "--data-dir",
                    dir.resolve("store").toString()));
        FreePorts.Refusing refused = FreePorts.refusing()) {
      int nodeAdmin = Deploy.port(node.awaitLine("admin:", BOUND));
      int replicaMetrics = Deploy.port(replica.awaitLine("metrics:", BOUND));
      int closed = refused.port(); // held, never listening

      assertAll(
          () -> assertEquals(0, healthcheck(nodeAdmin, "/healthz").exitCode(), "node /healthz"),
          () -> assertEquals(0, healthcheck(nodeAdmin, "/readyz").exitCode(), "node /readyz"),
          () ->
              assertEquals(
                  0, healthcheck(replicaMetrics, "/healthz").exitCode(), "replica /healthz"),
          () ->
              assertEquals(
                  1, healthcheck(nodeAdmin, "/no-such-path").exitCode(), "a 404 is not healthy"),
          () ->
              assertEquals(
                  1,
                  healthcheck(closed, "/healthz").exitCode(),
                  "nothing listening is not healthy"));
      // An empty store has no version: the replica is alive but not ready.
      CommandRunner.Result notReady = healthcheck(replicaMetrics, "/readyz");
      assertEquals(1, notReady.exitCode(), notReady.toString());
      assertTrue(notReady.stdout().contains("answered 503"), notReady.toString());
    }
  }

  private static CommandRunner.Result healthcheck(int port, String path) {
    return CommandRunner.run(
        Duration.ofSeconds(10),
        List.of("bash", HEALTHCHECK.toString(), Integer.toString(port), path));
  }

  private static Set<Integer> exposed(Stage stage) {
    Set<Integer> ports = new TreeSet<>();
    for (Instruction expose : stage.all("EXPOSE")) {
      for (String port : expose.args().split("\\s+")) {
        ports.add(Integer.parseInt(port.replace("/tcp", "")));
      }
    }
    return ports;
  }

  private static List<String> healthcheck(Stage stage) {
    Instruction hc = stage.last("HEALTHCHECK");
    assertNotNull(hc, stage.name() + " has a HEALTHCHECK");
    int cmd = hc.args().indexOf("CMD ");
    assertNotEquals(-1, cmd, hc.toString());
    return strings(hc.args().substring(cmd + 4));
  }

  private static List<String> execForm(Instruction instruction) {
    assertNotNull(instruction);
    assertTrue(instruction.args().startsWith("["), "exec form: " + instruction);
    return strings(instruction.args());
  }

  private static List<String> strings(String jsonArray) {
    List<String> words = new ArrayList<>();
    Matcher m = JSON_STRING.matcher(jsonArray);
    while (m.find()) {
      words.add(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    return words;
  }
}
