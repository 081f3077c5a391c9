package dev.wharf.systemtest.deploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.testkit.CommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/systemd}: systemd itself accepts each unit ({@code systemd-analyze verify}) and
 * rates its hardening ({@code systemd-analyze security}); a stop always outlasts the drain it
 * starts; every flag in {@code ExecStart} and every variable of the example environment files is
 * one the programs read.
 */
class DeploySystemdIT {
  private static final Path DIR = Deploy.DEPLOY.resolve("systemd");
  private static final Duration BOUND = Duration.ofSeconds(60);

  /** Exposure systemd-analyze security allows ("OK" is below 5; the units aim much lower). */
  private static final double MAX_EXPOSURE = 2.5;

  private static final Pattern EXPOSURE =
      Pattern.compile("Overall exposure level for \\S+: ([0-9.]+)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)\\}?");

  @TempDir Path dir;

  @Test
  void systemdAcceptsEveryUnit() throws Exception {
    Path analyze = Deploy.tool("systemd-analyze", "apt-get install -y systemd");
    // The JDK running this test stands in for /usr/bin/java (Debian's openjdk-17-jre-headless
    // provides it there): verify checks that ExecStart's program exists and is executable.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Executable> checks = new ArrayList<>();
    for (Path unit : units()) {
      Path copy = dir.resolve(unit.getFileName());
      Files.writeString(copy, Deploy.read(unit).replace("/usr/bin/java ", java + " "));
      checks.add(
          () -> {
            CommandRunner.Result r =
                CommandRunner.run(
                    BOUND, List.of(analyze.toString(), "verify", "--man=no", copy.toString()));
            assertEquals(0, r.exitCode(), unit.getFileName() + "\n" + r);
            assertEquals("", r.stderr().strip(), unit.getFileName() + ": warnings\n" + r);
          });
    }
    assertAll(checks);
  }

  @Test
  void hardeningRatesWellInSystemdAnalyzeSecurity() {
    Path analyze = Deploy.tool("systemd-analyze", "apt-get install -y systemd");
    List<Executable> checks = new ArrayList<>();
    for (Path unit : units()) {
      checks.add(
          () -> {
            CommandRunner.Result r =
                CommandRunner.run(
                    BOUND,
                    List.of(
                        analyze.toString(),
                        "security",
                        "--offline=true",
                        "--no-pager",
                        unit.toString()));
            Matcher m = EXPOSURE.matcher(r.stdout());
            assertTrue(m.find(), unit.getFileName() + "\n" + r);
            double exposure = Double.parseDouble(m.group(1));
            assertTrue(
                exposure <= MAX_EXPOSURE,
                unit.getFileName()
                    + ": exposure "
                    + exposure
                    + " above "
                    + MAX_EXPOSURE
                    + "\n"
                    + r);
          });
    }
    assertAll(checks);
  }

  @Test
  void stoppingAlwaysOutlastsTheDrain() {
    List<Executable> checks = new ArrayList<>();
    for (Path unit : units()) {
      Map<String, List<String>> service = section(unit, "Service");
      checks.add(
          () -> {
            String name = unit.getFileName().toString();
            assertEquals(List.of("SIGTERM"), service.get("KillSignal"), name);
            assertEquals(List.of("on-failure"), service.get("Restart"), name);
            assertEquals(
                List.of("143"),
                service.get("SuccessExitStatus"),
                name + ": the JVM's exit status after SIGTERM is a clean stop");
            long stop = Deploy.seconds(single(service, "TimeoutStopSec"));
            Map<String, List<String>> options = Deploy.options(execStart(service));
            String drain = Deploy.option(options, "--drain-timeout");
            // A replica has no drain; the JVM gives its shutdown 30 s (ShutdownSignal).
            long bound = drain != null ? Deploy.seconds(drain) : 30;
            assertTrue(
                stop > bound, name + ": TimeoutStopSec " + stop + " s above " + bound + " s");
            assertTrue(
                service.containsKey("User") && !single(service, "User").equals("root"),
                name + " runs as its own user");
            assertEquals(List.of("yes"), service.get("NoNewPrivileges"), name);
            assertEquals(List.of("strict"), service.get("ProtectSystem"), name);
            assertTrue(service.containsKey("CapabilityBoundingSet"), name);
          });
    }
    assertAll(checks);
  }

  @Test
  void execStartGivesFlagsTheJarsAccept() {
    List<Executable> checks = new ArrayList<>();
    for (Path unit : units()) {
      Map<String, List<String>> service = section(unit, "Service");
      checks.add(
          () -> {
            List<String> words = execStart(service);
            int jar = words.indexOf("-jar");
            assertTrue(jar > 0, unit + ": java -jar");
            String jarName = Path.of(words.get(jar + 1)).getFileName().toString();
            List<String> args = words.subList(jar + 2, words.size());
            Path built =
                switch (jarName) {
                  case "wharf-control-plane.jar" -> Deploy.CONTROL_PLANE_JAR;
                  case "wharf-data-plane.jar" -> Deploy.DATA_PLANE_JAR;
                  case "wharf-standalone.jar" -> Deploy.STANDALONE_JAR;
                  default ->
                      throw new AssertionError(
                          unit + " runs " + jarName + ", which no build makes");
                };
            Map<String, List<String>> options = Deploy.options(args);
            String[] subcommand =
                options.containsKey("") ? options.get("").toArray(String[]::new) : new String[0];
            Set<String> unknown = new TreeSet<>(options.keySet());
            unknown.remove("");
            unknown.removeAll(Deploy.flags(built, subcommand));
            assertEquals(Set.of(), unknown, unit.getFileName() + ": flags the jar does not have");
          });
    }
    assertAll(checks);
  }

  @Test
  void environmentFilesSetOnlyWhatIsRead() {
    // The replica reads WHARF_* itself: each must be one its --help names.
    Set<String> replicaEnv = new TreeSet<>();
    Matcher m =
        Pattern.compile("Env\\s+(WHARF_[A-Z_]+)").matcher(Deploy.help(Deploy.CONTROL_PLANE_JAR));
    while (m.find()) {
      replicaEnv.add(m.group(1));
    }
    Set<String> unread = new TreeSet<>(assignments(DIR.resolve("control-plane.env")));
    unread.removeAll(replicaEnv);
    unread.remove("JAVA_OPTS");
    assertEquals(Set.of(), unread, "control-plane.env: variables the replica does not read");

    // The node reads no environment: its unit puts each variable into ExecStart.
    Map<String, List<String>> node = section(DIR.resolve("wharf-node.service"), "Service");
    Set<String> used = new TreeSet<>();
    Matcher v = VARIABLE.matcher(String.join(" ", node.get("ExecStart")));
    while (v.find()) {
      used.add(v.group(1));
    }
    assertEquals(
        used,
        assignments(DIR.resolve("node.env")),
        "node.env sets exactly the variables wharf-node.service uses");

    // Debian's etcd reads ETCD_FOO_BAR as --foo-bar.
    Set<String> etcdFlags = DeployKubernetesIT.etcdFlags();
    Set<String> unknownEtcd = new TreeSet<>();
    for (String name : assignments(DIR.resolve("etcd.default"))) {
      String flag = "--" + name.substring("ETCD_".length()).toLowerCase().replace('_', '-');
      if (!etcdFlags.contains(flag)) {
        unknownEtcd.add(name);
      }
    }
    assertEquals(Set.of(), unknownEtcd, "etcd.default: variables that are no etcd flag");
  }

  private static List<Path> units() {
    try (Stream<Path> files = Files.list(DIR)) {
      List<Path> units = files.filter(p -> p.toString().endsWith(".service")).sorted().toList();
      assertEquals(3, units.size(), "standalone, control plane and node: " + units);
      return units;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A unit section's settings, continued lines joined, values in order. */
  private static Map<String, List<String>> section(Path unit, String name) {
    Map<String, List<String>> settings = new LinkedHashMap<>();
    String current = null;
    StringBuilder line = new StringBuilder();
    for (String raw : Deploy.read(unit).split("\n")) {
      String text = raw.strip();
      if (line.isEmpty() && (text.startsWith("#") || text.isEmpty())) {
        continue;
      }
      if (line.isEmpty() && text.startsWith("[")) {
        current = text.substring(1, text.length() - 1);
        continue;
      }
      boolean continued = text.endsWith("\\");
      line.append(continued ? text.substring(0, text.length() - 1) : text).append(' ');
      if (continued) {
        continue;
      }
      String setting = line.toString().strip();
      line.setLength(0);
      if (name.equals(current)) {
        int eq = setting.indexOf('=');
        settings
            .computeIfAbsent(setting.substring(0, eq), k -> new ArrayList<>())
            .add(setting.substring(eq + 1).strip());
      }
    }
    return settings;
  }

  private static String single(Map<String, List<String>> settings, String key) {
    List<String> values = settings.get(key);
    assertNotNull(values, key);
    assertEquals(1, values.size(), key + ": " + values);
    return values.get(0);
  }

  private static List<String> execStart(Map<String, List<String>> service) {
    List<String> words = List.of(single(service, "ExecStart").split("\\s+"));
    assertFalse(words.isEmpty());
    return words;
  }

  /** The names a KEY=VALUE file assigns (comments and commented-out lines skipped). */
  private static Set<String> assignments(Path file) {
    Set<String> names = new TreeSet<>();
    for (String line : Deploy.read(file).split("\n")) {
      String text = line.strip();
      if (!text.isEmpty() && !text.startsWith("#")) {
        names.add(text.substring(0, text.indexOf('=')));
      }
    }
    return names;
  }
}
