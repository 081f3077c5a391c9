package dev.wharf.systemtest.deploy;

import static dev.wharf.systemtest.deploy.Deploy.at;
import static dev.wharf.systemtest.deploy.Deploy.list;
import static dev.wharf.systemtest.deploy.Deploy.map;
import static dev.wharf.systemtest.deploy.Deploy.string;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.controlplane.server.AccessTokens;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.testkit.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@code deploy/kubernetes} without a cluster: every document the kustomization lists is read and
 * every reference between them resolved, the way the API server and kubelet would: selectors find
 * pods, ports and probes name ports the containers open on the addresses their arguments bind,
 * mounted Secrets and ConfigMaps have the keys asked for, arguments are flags the jars (and etcd)
 * accept, files named in arguments are mounted, and a node's drain fits its grace period.
 */
class DeployKubernetesIT {
  static final Path DIR = Deploy.DEPLOY.resolve("kubernetes");
  private static final Path TLS = DIR.resolve("components").resolve("tls");
  private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet");
  private static final Map<String, Set<String>> SERVED_PATHS =
      Map.of(
          "wharf/control-plane", Set.of("/healthz", "/readyz"),
          "wharf/data-plane", Set.of("/healthz", "/readyz"),
          "etcd", Set.of("/health"));

  private final List<Map<String, Object>> docs = documents(DIR, "resources");

  @Test
  void kustomizationListsEveryManifestAndImagesBuiltByTheDockerfile() throws Exception {
    Map<String, Object> k = Deploy.yaml(DIR.resolve("kustomization.yaml"));
    Set<String> listed =
        new TreeSet<>(list(k.get("resources"), "resources").stream().map(String::valueOf).toList());
    Set<String> files = new TreeSet<>();
    try (Stream<Path> paths = Files.list(DIR)) {
      paths
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
          .forEach(files::add);
    }
    assertEquals(files, listed, "every manifest is in the kustomization, and only those");

    Set<String> targets =
        Dockerfile.parse(Deploy.DEPLOY.resolve("docker/Dockerfile")).stages().keySet();
    Set<String> named = new HashSet<>();
    for (Object image : list(k.get("images"), "images")) {
      String name = string(image, "name");
      named.add(name);
      assertTrue(
          name.startsWith("wharf/") && targets.contains(name.substring(6)),
          name + " is built by a Dockerfile target: " + targets);
    }
    for (Container c : containers()) {
      if (c.image().startsWith("wharf/")) {
        assertTrue(named.contains(c.image()), c + ": its tag is set in the kustomization");
      }
    }
  }

  @Test
  void servicesSelectPodsAndTargetPortsThePodsOpen() {
    List<Executable> checks = new ArrayList<>();
    for (Map<String, Object> service : kind("Service")) {
      String name = string(service, "metadata.name");
      checks.add(
          () -> {
            List<Pod> pods = select(map(at(service, "spec.selector"), name + " selector"));
            assertFalse(pods.isEmpty(), "Service " + name + " selects no pod");
            for (Object port : list(at(service, "spec.ports"), name + " ports")) {
              Object target = at(port, "targetPort");
              for (Pod pod : pods) {
                assertTrue(
                    pod.containers().stream().anyMatch(c -> c.opens(target)),
                    "Service "
                        + name
                        + " port "
                        + target
                        + ": no container of "
                        + pod.name()
                        + " opens it");
              }
            }
          });
    }
    assertAll(checks);
  }

  @Test
  void disruptionBudgetsAndNetworkPoliciesSelectPods() {
    List<Executable> checks = new ArrayList<>();
    for (Map<String, Object> pdb : kind("PodDisruptionBudget")) {
      String name = string(pdb, "metadata.name");
      checks.add(
          () -> {
            List<Pod> pods = select(map(at(pdb, "spec.selector.matchLabels"), name));
            assertEquals(1, pods.size(), "PodDisruptionBudget " + name + " covers one workload");
            Object min = at(pdb, "spec.minAvailable");
            if (min != null) {
              assertTrue(
                  ((Number) min).intValue() < pods.get(0).replicas(),
                  name + ": minAvailable below the replicas, or no eviction is ever allowed");
            }
          });
    }
    for (Map<String, Object> policy : kind("NetworkPolicy")) {
      String name = string(policy, "metadata.name");
      checks.add(
          () -> {
            assertFalse(
                select(map(at(policy, "spec.podSelector.matchLabels"), name)).isEmpty(),
                "NetworkPolicy " + name + " protects a pod");
            for (Object rule : list(at(policy, "spec.ingress"), name)) {
              for (Object from : list(at(rule, "from"), name)) {
                Object labels = at(from, "podSelector.matchLabels");
                assertFalse(select(map(labels, name)).isEmpty(), name + " admits pods " + labels);
              }
            }
          });
    }
    assertAll(checks);
  }

  @Test
  void mountedSecretsAndConfigMapsHaveTheKeysAskedFor() {
    Map<String, Set<String>> secrets = keysOf("Secret", docs);
    Map<String, Set<String>> configMaps = keysOf("ConfigMap", docs);
    List<Executable> checks = new ArrayList<>();
    for (Pod pod : pods()) {
      for (Object volume : pod.volumes()) {
        String secret = string(volume, "secret.secretName");
        String configMap = string(volume, "configMap.name");
        if (secret == null && configMap == null) {
          continue;
        }
        Map<String, Set<String>> source = secret != null ? secrets : configMaps;
        String sourceName = secret != null ? secret : configMap;
        Object items = at(volume, secret != null ? "secret.items" : "configMap.items");
        checks.add(
            () -> {
              assertTrue(
                  source.containsKey(sourceName),
                  pod.name() + " mounts " + sourceName + ", which no document defines");
              for (Object item : list(items, "items")) {
                assertTrue(
                    source.get(sourceName).contains(string(item, "key")),
                    pod.name() + ": " + sourceName + " has no key " + string(item, "key"));
              }
            });
      }
    }
    assertAll(checks);
  }

  @Test
  void containerArgumentsAreFlagsTheProgramsAccept() {
    List<Executable> checks = new ArrayList<>();
    for (Container c : containers()) {
      checks.add(
          () -> {
            Set<String> accepted = acceptedFlags(c.image());
            Set<String> unknown = new TreeSet<>(c.options().keySet());
            unknown.remove("");
            unknown.removeAll(accepted);
            assertEquals(Set.of(), unknown, c + ": flags its program does not have");
            assertFalse(c.options().containsKey(""), c + ": stray words " + c.options().get(""));
          });
    }
    assertAll(checks);
  }

  @Test
  void filesNamedInArgumentsAreMountedFromTheirSources() {
    List<Executable> checks = new ArrayList<>();
    for (Pod pod : pods()) {
      for (Container c : pod.containers()) {
        for (String option :
            List.of("--token-file", "--bootstrap-config", "--tls-cert", "--tls-key", "--tls-ca")) {
          String file = Deploy.option(c.options(), option);
          if (file != null) {
            checks.add(
                () ->
                    assertTrue(
                        pod.provides(c, Path.of(file)),
                        c + ": " + option + " " + file + " is not a file of a mounted volume"));
          }
        }
        String stateDir = Deploy.option(c.options(), "--state-dir");
        if (stateDir != null) {
          checks.add(
              () ->
                  assertTrue(
                      c.mounts().containsKey(stateDir),
                      c
                          + ": --state-dir "
                          + stateDir
                          + " is a mounted volume (the root is read-only)"));
        }
      }
    }
    assertAll(checks);
  }

  @Test
  void probesAskServedPathsOnThePortsTheArgumentsBind() {
    List<Executable> checks = new ArrayList<>();
    for (Container c : containers()) {
      String program = c.image().startsWith("wharf/") ? c.image() : "etcd";
      for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
        Object get = at(c.spec(), probe + ".httpGet");
        if (get == null) {
          continue;
        }
        checks.add(
            () -> {
              String path = string(get, "path");
              assertTrue(SERVED_PATHS.get(program).contains(path), c + " " + probe + " " + path);
              int port = c.port(at(get, "port"));
              String bound =
                  switch (program) {
                    case "wharf/control-plane" -> Deploy.option(c.options(), "--metrics");
                    case "wharf/data-plane" -> Deploy.option(c.options(), "--admin");
                    default -> Deploy.option(c.options(), "--listen-client-urls");
                  };
              assertNotNull(bound, c + " sets the address its probes ask");
              String hostPort = bound.replaceFirst("^[a-z]+://", "").replaceAll("/.*$", "");
              assertEquals(
                  port,
                  Deploy.port(hostPort),
                  c + " " + probe + ": the probe's port is the one " + bound + " binds");
              assertFalse(
                  hostPort.startsWith("127."),
                  c
                      + ": the kubelet probes from outside the pod, so "
                      + bound
                      + " must not be "
                      + "loopback");
            });
      }
    }
    assertAll(checks);
  }

  @Test
  void nodesDrainWithinTheirGracePeriod() {
    Pod node = pods().stream().filter(p -> p.name().equals("wharf-node")).findFirst().orElseThrow();
    Container c = node.containers().get(0);
    long grace = Deploy.seconds(Deploy.option(c.options(), "--drain-grace"));
    long timeout = Deploy.seconds(Deploy.option(c.options(), "--drain-timeout"));
    assertTrue(grace > 0, "a grace period for Services and load balancers to notice /readyz");
    assertTrue(timeout > grace, "--drain-timeout includes the grace");
    assertTrue(
        node.terminationGrace() > timeout,
        "terminationGracePeriodSeconds "
            + node.terminationGrace()
            + " above --drain-timeout "
            + timeout
            + ", or Kubernetes kills drains");
    assertEquals(
        null,
        at(c.spec(), "lifecycle.preStop"),
        "SIGTERM is the drain; a preStop hook would only delay it (docs/operations.md)");
    int cpus = Integer.parseInt(string(c.spec(), "resources.requests.cpu"));
    assertEquals(
        cpus,
        Integer.parseInt(Deploy.option(c.options(), "--workers")),
        "one event loop per requested CPU");
  }

  @Test
  void theNodeTokenIsANodeTokenOfTheControlPlane() throws Exception {
    Map<String, Object> secret =
        kind("Secret").stream()
            .filter(s -> "wharf-tokens".equals(string(s, "metadata.name")))
            .findFirst()
            .orElseThrow();
    String tokens = string(secret, "stringData.tokens");
    String nodeToken = string(secret, "stringData.node-token").strip();
    AccessTokens parsed = AccessTokens.parse(tokens.lines().toList(), "wharf-tokens/tokens");
    assertNotNull(parsed, "the control plane reads the token file");
    assertTrue(
        tokens
            .lines()
            .map(l -> l.strip().split("\\s+"))
            .anyMatch(
                w ->
                    (w.length == 1 && w[0].equals(nodeToken))
                        || (w.length > 1 && w[0].equals("node") && w[1].equals(nodeToken))),
        "the nodes' token has the node role in the control plane's file");
  }

  @Test
  void theBootstrapConfigIsValidAndListensWhereTheNodesOpenTheirPort() throws Exception {
    int port = bootstrapListenerPort();
    Container node =
        containers().stream()
            .filter(c -> c.image().equals("wharf/data-plane"))
            .findFirst()
            .orElseThrow();
    assertEquals(port, node.port("web"), "the container port web is the listener's port");
  }

  @Test
  void theTlsComponentAddsFlagsTheJarsAcceptAndMountsItsOwnSecret() {
    Map<String, Object> component = Deploy.yaml(TLS.resolve("kustomization.yaml"));
    assertEquals("Component", component.get("kind"));
    Map<String, Set<String>> secrets = keysOf("Secret", documents(TLS, "resources"));
    List<Executable> checks = new ArrayList<>();
    for (Object patch : list(component.get("patches"), "patches")) {
      String target = string(patch, "target.name");
      Container c =
          containers().stream()
              .filter(x -> x.pod().equals(target))
              .findFirst()
              .orElseThrow(() -> new AssertionError("the patch targets " + target + ", not here"));
      List<Object> ops =
          list(
              Deploy.yamlText("ops: " + indent(string(patch, "patch")), "patch of " + target)
                  .get("ops"),
              "ops");
      for (Object op : ops) {
        String path = string(op, "path");
        Object value = at(op, "value");
        checks.add(
            () -> {
              assertEquals("add", string(op, "op"), path);
              if (path.endsWith("/args/-")) {
                String flag = String.valueOf(value).split("=")[0];
                assertTrue(acceptedFlags(c.image()).contains(flag), target + ": " + flag);
              } else if (path.endsWith("/volumes/-")) {
                String secret = string(value, "secret.secretName");
                assertTrue(secrets.containsKey(secret), "the component defines " + secret);
                for (Object item : list(at(value, "secret.items"), "items")) {
                  assertTrue(secrets.get(secret).contains(string(item, "key")), secret + " keys");
                }
              } else {
                assertTrue(path.endsWith("/volumeMounts/-"), "an op this test knows: " + path);
              }
            });
      }
    }
    assertAll(checks);
  }

  /** The port of the listener in the bootstrap ConfigMap, validated as the replicas load it. */
  static int bootstrapListenerPort() throws Exception {
    Map<String, Object> cm =
        documents(DIR, "resources").stream()
            .filter(
                d ->
                    "ConfigMap".equals(d.get("kind"))
                        && "wharf-bootstrap-config".equals(string(d, "metadata.name")))
            .findFirst()
            .orElseThrow();
    Config config =
        ConfigDocuments.load(
            String.valueOf(map(cm.get("data"), "data").get("wharf.yaml")),
            "wharf-bootstrap-config/wharf.yaml");
    assertEquals(1, config.getListenersCount(), "one listener");
    return config.getListeners(0).getPort();
  }

  // --- reading the manifests -----------------------------------------------------------------

  private record Pod(
      String name,
      Map<String, String> labels,
      int replicas,
      long terminationGrace,
      List<Container> containers,
      List<Object> volumes) {
    /** Whether {@code file} is a key of a Secret or ConfigMap volume mounted in {@code c}. */
    boolean provides(Container c, Path file) {
      String dir = file.getParent().toString();
      String volumeName = c.mounts().get(dir);
      if (volumeName == null) {
        return false;
      }
      for (Object volume : volumes) {
        if (!volumeName.equals(string(volume, "name"))) {
          continue;
        }
        Object items =
            Objects.requireNonNullElse(
                at(volume, "secret.items"),
                Objects.requireNonNullElse(at(volume, "configMap.items"), List.of()));
        if (list(items, "items").isEmpty()) {
          return true; // every key of the source is a file; keys are checked elsewhere
        }
        return list(items, "items").stream()
            .anyMatch(i -> file.getFileName().toString().equals(string(i, "path")));
      }
      return false;
    }
  }

  private record Container(
      String pod,
      String name,
      String image,
      Map<String, Object> spec,
      Map<String, List<String>> options,
      Map<String, String> mounts) {
    boolean opens(Object port) {
      return list(spec.get("ports"), "ports").stream()
          .anyMatch(
              p ->
                  String.valueOf(port).equals(string(p, "name"))
                      || String.valueOf(port).equals(string(p, "containerPort")));
    }

    int port(Object nameOrNumber) {
      for (Object p : list(spec.get("ports"), "ports")) {
        if (String.valueOf(nameOrNumber).equals(string(p, "name"))
            || String.valueOf(nameOrNumber).equals(string(p, "containerPort"))) {
          return ((Number) at(p, "containerPort")).intValue();
        }
      }
      throw new AssertionError(this + " opens no port " + nameOrNumber);
    }

    @Override
    public String toString() {
      return pod + "/" + name;
    }
  }

  private List<Pod> pods() {
    List<Pod> pods = new ArrayList<>();
    for (Map<String, Object> d : docs) {
      if (!WORKLOADS.contains(d.get("kind"))) {
        continue;
      }
      String name = string(d, "metadata.name");
      Object spec = at(d, "spec.template.spec");
      Map<String, String> labels = new LinkedHashMap<>();
      map(at(d, "spec.template.metadata.labels"), name + " labels")
          .forEach((k, v) -> labels.put(k, String.valueOf(v)));
      assertEquals(
          labels,
          new LinkedHashMap<>(map(at(d, "spec.selector.matchLabels"), name)),
          name + ": the selector matches the template's labels");
      List<Container> containers = new ArrayList<>();
      for (Object c : list(at(spec, "containers"), name + " containers")) {
        List<String> words = new ArrayList<>();
        list(at(c, "args"), "args").forEach(a -> words.add(String.valueOf(a)));
        Map<String, String> mounts = new HashMap<>();
        for (Object m : list(at(c, "volumeMounts"), "volumeMounts")) {
          mounts.put(string(m, "mountPath"), string(m, "name"));
        }
        String image = string(c, "image");
        containers.add(
            new Container(
                name,
                string(c, "name"),
                image.startsWith("wharf/") ? image : image.contains("etcd") ? "etcd" : image,
                map(c, "container"),
                Deploy.options(words),
                mounts));
      }
      Object replicas = at(d, "spec.replicas");
      Object grace = at(spec, "terminationGracePeriodSeconds");
      pods.add(
          new Pod(
              name,
              labels,
              replicas == null ? 1 : ((Number) replicas).intValue(),
              grace == null ? 30 : ((Number) grace).longValue(),
              containers,
              list(at(spec, "volumes"), "volumes")));
    }
    return pods;
  }

  private List<Container> containers() {
    return pods().stream().flatMap(p -> p.containers().stream()).toList();
  }

  private List<Pod> select(Map<String, Object> selector) {
    return pods().stream()
        .filter(
            p ->
                selector.entrySet().stream()
                    .allMatch(e -> String.valueOf(e.getValue()).equals(p.labels().get(e.getKey()))))
        .toList();
  }

  private List<Map<String, Object>> kind(String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  private static Map<String, Set<String>> keysOf(String kind, List<Map<String, Object>> docs) {
    Map<String, Set<String>> keys = new HashMap<>();
    for (Map<String, Object> d : docs) {
      if (kind.equals(d.get("kind"))) {
        Set<String> k = new TreeSet<>();
        for (String field : List.of("data", "stringData")) {
          Object values = d.get(field);
          if (values != null) {
            k.addAll(map(values, field).keySet());
          }
        }
        keys.put(string(d, "metadata.name"), k);
      }
    }
    return keys;
  }

  private static Set<String> acceptedFlags(String image) {
    return switch (image) {
      case "wharf/control-plane" -> Deploy.flags(Deploy.CONTROL_PLANE_JAR);
      case "wharf/data-plane" -> Deploy.flags(Deploy.DATA_PLANE_JAR);
      case "etcd" -> etcdFlags();
      default -> throw new AssertionError("no flags known for image " + image);
    };
  }

  /** The flags of the etcd the tests run (Debian's 3.4; the manifests' 3.5 keeps them all). */
  static Set<String> etcdFlags() {
    Path etcd = Deploy.tool("etcd", "apt-get install -y etcd-server");
    CommandRunner.Result r =
        CommandRunner.run(Duration.ofSeconds(30), List.of(etcd.toString(), "--help"));
    Set<String> flags = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^\\s+(--[a-z][a-z0-9-]*)").matcher(r.stdout() + r.stderr());
    while (m.find()) {
      flags.add(m.group(1));
    }
    assertTrue(flags.contains("--initial-cluster"), "etcd --help lists its flags:\n" + r);
    return flags;
  }

  /** Every document of the files a kustomization lists under {@code field}. */
  private static List<Map<String, Object>> documents(Path dir, String field) {
    Map<String, Object> k = Deploy.yaml(dir.resolve("kustomization.yaml"));
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object resource : list(k.get(field), field)) {
      for (Object d : Deploy.yamlDocuments(dir.resolve(String.valueOf(resource)))) {
        docs.add(map(d, String.valueOf(resource)));
      }
    }
    return docs;
  }

  private static String indent(String block) {
    return "\n" + block.lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
  }
}
