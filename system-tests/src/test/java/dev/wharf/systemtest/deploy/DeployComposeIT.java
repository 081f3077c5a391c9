package dev.wharf.systemtest.deploy;

import static dev.wharf.systemtest.deploy.Deploy.at;
import static dev.wharf.systemtest.deploy.Deploy.list;
import static dev.wharf.systemtest.deploy.Deploy.map;
import static dev.wharf.systemtest.deploy.Deploy.string;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@code deploy/compose/docker-compose.yaml} is deploy/local in containers: this test reads {@code
 * deploy/local/cluster.sh} (its part names, the flags each kind of part is started with, its fixed
 * port layout, the config template and how it is filled in) and checks that the compose file starts
 * the same parts with the same flags, ports and config, and that its own references (dependencies,
 * volumes, health checks, addresses between parts) hold.
 */
class DeployComposeIT {
  private static final Path COMPOSE = Deploy.DEPLOY.resolve("compose/docker-compose.yaml");
  private static final Path SCRIPT = Deploy.DEPLOY.resolve("local/cluster.sh");
  private static final Path TEMPLATE = Deploy.DEPLOY.resolve("local/cluster.yaml");
  private static final int BASE = 17000;

  private final Map<String, Object> compose = Deploy.yaml(COMPOSE);
  private final Map<String, Object> services = map(compose.get("services"), "services");
  private final String script = Deploy.read(SCRIPT);

  /** The parts of one kind in cluster.sh: their names, and the flags they are started with. */
  private record Kind(String array, String starter, String image) {}

  private static final List<Kind> KINDS =
      List.of(
          new Kind("ETCD_MEMBERS", "\"$ETCD_BIN\"", "etcd"),
          new Kind("REPLICAS", "\"$CONTROL_PLANE_JAR\"", "wharf/control-plane"),
          new Kind("NODES", "\"$DATA_PLANE_JAR\"", "wharf/data-plane"),
          new Kind("BACKENDS", "\"$BENCH_JAR\" backend", "wharf/demo-backend"));

  @Test
  void composeStartsTheSamePartsWithTheSameFlagsAsClusterSh() {
    List<Executable> checks = new ArrayList<>();
    for (Kind kind : KINDS) {
      List<String> names = array(kind.array());
      Set<String> localFlags = startFlags(kind.starter());
      checks.add(
          () -> {
            Map<String, Object> ofKind = new TreeMap<>();
            services.forEach(
                (name, s) -> {
                  if (string(s, "image").startsWith(kind.image() + ":")
                      || string(s, "image").contains("/" + kind.image() + ":")) {
                    ofKind.put(name, s);
                  }
                });
            ofKind.remove("render-config");
            assertEquals(new TreeSet<>(names), ofKind.keySet(), kind.array() + " in cluster.sh");
            for (Map.Entry<String, Object> s : ofKind.entrySet()) {
              Map<String, List<String>> options = options(s.getValue());
              Set<String> flags = new TreeSet<>(options.keySet());
              flags.remove("");
              assertEquals(
                  new TreeSet<>(localFlags),
                  flags,
                  s.getKey() + ": the flags cluster.sh gives " + kind.array());
              assertEquals(
                  "host",
                  string(s.getValue(), "network_mode"),
                  s.getKey()
                      + ": host networking, so loopback addresses mean what they do locally");
            }
          });
    }
    assertAll(checks);
  }

  @Test
  void everyPartUsesClusterShsFixedPorts() {
    List<Integer> layout = layout();
    Map<String, List<Integer>> expected = new LinkedHashMap<>();
    expected.put("etcd client", layout.subList(0, 3));
    expected.put("etcd peer", layout.subList(3, 6));
    expected.put("replica gRPC", layout.subList(6, 8));
    expected.put("replica metrics", layout.subList(8, 10));
    expected.put("backend", layout.subList(10, 12));
    expected.put("node web", layout.subList(12, 15));
    expected.put("node admin", layout.subList(15, 18));

    Map<String, List<Integer>> actual = new LinkedHashMap<>();
    actual.put("etcd client", ports("etcd", "--listen-client-urls"));
    actual.put("etcd peer", ports("etcd", "--listen-peer-urls"));
    actual.put("replica gRPC", ports("cp", "--listen"));
    actual.put("replica metrics", ports("cp", "--metrics"));
    List<Integer> backends = new ArrayList<>();
    for (String b : List.of("backend1", "backend2")) {
      backends.add(Integer.parseInt(options(services.get(b)).get("").get(0)));
    }
    actual.put("backend", backends);
    List<Integer> web = new ArrayList<>();
    for (String n : List.of("node1", "node2", "node3")) {
      web.add(
          Integer.parseInt(
              Deploy.option(options(services.get(n)), "--listener-port").replace("web=", "")));
    }
    actual.put("node web", web);
    actual.put("node admin", ports("node", "--admin"));
    assertEquals(expected, actual, "cluster.sh's layout from WHARF_LOCAL_BASE_PORT=" + BASE);
  }

  @Test
  void addressesBetweenPartsPointAtEachOther() {
    List<String> etcdClients = new ArrayList<>();
    for (String e : List.of("etcd1", "etcd2", "etcd3")) {
      etcdClients.add(Deploy.option(options(services.get(e)), "--listen-client-urls"));
    }
    List<String> replicas = new ArrayList<>();
    for (String cp : List.of("cp1", "cp2")) {
      Map<String, List<String>> o = options(services.get(cp));
      replicas.add(Deploy.option(o, "--listen"));
      assertEquals(String.join(",", etcdClients), Deploy.option(o, "--etcd"), cp + " --etcd");
    }
    for (String n : List.of("node1", "node2", "node3")) {
      List<String> targets =
          List.of(Deploy.option(options(services.get(n)), "--control-plane").split(","));
      assertEquals(new TreeSet<>(replicas), new TreeSet<>(targets), n + " --control-plane");
    }
  }

  @Test
  void theReplicasBootstrapFromClusterShsTemplateFilledInTheSameWay() {
    // cluster.sh: sed -e "s|@BACKEND1@|...|" ... "$TEMPLATE" > "$CONFIG"
    Set<String> placeholders = placeholders(Deploy.read(TEMPLATE));
    Set<String> localFilled = placeholders(lineContaining(script, "\"$TEMPLATE\" >"));
    assertEquals(placeholders, localFilled, "cluster.sh fills every placeholder");

    Object render = services.get("render-config");
    String command =
        String.join(
            " ", list(at(render, "command"), "command").stream().map(String::valueOf).toList());
    assertEquals(placeholders, placeholders(command), "render-config fills the same ones");
    Matcher sed =
        Pattern.compile("s\\|@(BACKEND1|BACKEND2|WEB_PORT)@\\|([^|]+)\\|").matcher(command);
    Map<String, String> values = new TreeMap<>();
    while (sed.find()) {
      values.put(sed.group(1), sed.group(2));
    }
    assertEquals(
        Map.of(
            "BACKEND1", "127.0.0.1:" + layout().get(10),
            "BACKEND2", "127.0.0.1:" + layout().get(11),
            "WEB_PORT", Integer.toString(layout().get(12))),
        values,
        "the values cluster.sh writes in the fixed layout");

    Map<String, String> mounts = mounts(render);
    String template =
        mounts.entrySet().stream()
            .filter(e -> COMPOSE.getParent().resolve(e.getKey()).normalize().equals(TEMPLATE))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("render-config mounts " + TEMPLATE + ": " + mounts));
    assertTrue(command.contains(template.replaceAll(":ro$", "")), command);
    Matcher out = Pattern.compile("> (\\S+)").matcher(command);
    assertTrue(out.find(), command);
    String rendered = out.group(1);
    for (String cp : List.of("cp1", "cp2")) {
      assertEquals(rendered, Deploy.option(options(services.get(cp)), "--bootstrap-config"), cp);
      assertTrue(
          mounts(services.get(cp)).values().stream()
              .anyMatch(m -> rendered.startsWith(m.replaceAll(":ro$", "") + "/")),
          cp + " mounts the rendered config: " + mounts(services.get(cp)));
    }
  }

  @Test
  void dependenciesVolumesAndHealthChecksHold() {
    Map<String, Object> volumes = map(compose.get("volumes"), "volumes");
    List<Executable> checks = new ArrayList<>();
    services.forEach(
        (name, s) ->
            checks.add(
                () -> {
                  Object deps = at(s, "depends_on");
                  Set<String> needs =
                      deps instanceof Map<?, ?> m
                          ? new TreeSet<>(map(m, name).keySet())
                          : new TreeSet<>(list(deps, name).stream().map(String::valueOf).toList());
                  assertTrue(services.keySet().containsAll(needs), name + " depends on " + needs);
                  for (String volume : mounts(s).keySet()) {
                    assertTrue(
                        volume.startsWith(".") || volumes.containsKey(volume),
                        name + ": volume " + volume + " is declared");
                  }
                  List<Object> test = list(at(s, "healthcheck.test"), name);
                  Map<String, List<String>> options = options(s);
                  if (name.startsWith("node")) {
                    assertEquals(
                        List.of(
                            "CMD",
                            "wharf-healthcheck",
                            String.valueOf(Deploy.port(Deploy.option(options, "--admin"))),
                            "/readyz"),
                        test);
                    assertEquals(Set.of("cp1", "cp2", "backend1", "backend2"), needs, name);
                  } else if (name.startsWith("cp")) {
                    assertEquals(
                        List.of(
                            "CMD",
                            "wharf-healthcheck",
                            String.valueOf(Deploy.port(Deploy.option(options, "--metrics"))),
                            "/readyz"),
                        test);
                    assertEquals(Set.of("etcd1", "etcd2", "etcd3", "render-config"), needs, name);
                  } else if (name.startsWith("etcd")) {
                    assertTrue(
                        test.contains(
                            "--endpoints=" + Deploy.option(options, "--listen-client-urls")),
                        name + " " + test);
                  } else if (name.startsWith("backend")) {
                    assertEquals(
                        options.get(""), List.of(String.valueOf(test.get(2))), name + " " + test);
                  }
                }));
    assertAll(checks);
  }

  // --- reading cluster.sh and the compose file -----------------------------------------------

  private List<String> array(String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "=\\(([^)]*)\\)").matcher(script);
    assertTrue(m.find(), "cluster.sh defines " + name);
    return List.of(m.group(1).strip().split("\\s+"));
  }

  /** The flags of every {@code start_part ... STARTER} command in cluster.sh (with its lines). */
  private Set<String> startFlags(String starter) {
    Set<String> flags = new TreeSet<>();
    String[] lines = script.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].contains("start_part ") || !lines[i].contains(starter)) {
        continue;
      }
      StringBuilder command = new StringBuilder(lines[i]);
      while (lines[i].stripTrailing().endsWith("\\")) {
        command.append(' ').append(lines[++i]);
      }
      Matcher m = Pattern.compile("(?<=\\s)(--[a-z][a-z0-9-]*)").matcher(command);
      while (m.find()) {
        flags.add(m.group(1));
      }
      return flags;
    }
    throw new AssertionError("cluster.sh has no start_part ... " + starter);
  }

  /** cluster.sh's fixed port layout: {@code $((base + N))}, in order. */
  private List<Integer> layout() {
    Matcher m = Pattern.compile("\\$\\(\\(base \\+ (\\d+)\\)\\)").matcher(script);
    List<Integer> ports = new ArrayList<>();
    while (m.find()) {
      ports.add(BASE + Integer.parseInt(m.group(1)));
    }
    assertEquals(18, ports.size(), "cluster.sh's port layout: " + ports);
    return ports;
  }

  private List<Integer> ports(String prefix, String option) {
    List<Integer> ports = new ArrayList<>();
    for (String name : new TreeSet<>(services.keySet())) {
      if (name.matches(prefix + "\\d+")) {
        String value = Deploy.option(options(services.get(name)), option);
        ports.add(Deploy.port(value.replaceFirst("^[a-z]+://", "")));
      }
    }
    return ports;
  }

  private static Map<String, List<String>> options(Object service) {
    List<String> words = new ArrayList<>();
    list(at(service, "command"), "command").forEach(w -> words.add(String.valueOf(w)));
    if (!words.isEmpty() && words.get(0).equals("etcd")) {
      words.remove(0);
    }
    return Deploy.options(words);
  }

  /** A service's volumes: source to target. */
  private static Map<String, String> mounts(Object service) {
    Map<String, String> mounts = new LinkedHashMap<>();
    for (Object v : list(at(service, "volumes"), "volumes")) {
      String text = String.valueOf(v);
      int colon = text.indexOf(':');
      mounts.put(text.substring(0, colon), text.substring(colon + 1));
    }
    return mounts;
  }

  private static Set<String> placeholders(String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = Pattern.compile("@[A-Z0-9_]+@").matcher(text);
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }

  private static String lineContaining(String text, String fragment) {
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(fragment)) {
        // The command may start on the line before (a continued sed).
        return (i > 0 && lines[i - 1].stripTrailing().endsWith("\\") ? lines[i - 1] : "")
            + lines[i];
      }
    }
    throw new AssertionError("no line containing " + fragment);
  }
}
