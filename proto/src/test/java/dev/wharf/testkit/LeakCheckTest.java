package dev.wharf.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leaked buffer fails the build: in a test JVM, and in the output of a process a test started.
 */
class LeakCheckTest {
  private static final Duration BOUND = Duration.ofSeconds(90);

  @Test
  void aTestClassThatDropsABufferFailsInAJvmConfiguredAsTheBuildConfiguresSurefire() {
    CommandRunner.Result run =
        CommandRunner.run(
            BOUND, java(List.of(ChildLauncher.class.getName(), LeaksOnPurpose.class.getName())));

    assertEquals(1, run.exitCode(), run.toString());
    assertTrue(
        run.stdout().contains("Netty reported 1 leaked buffer(s) while LeaksOnPurpose ran"),
        run.toString());
    assertTrue(run.stdout().contains("LeaksOnPurpose.allocateAndDrop"), run.toString());
  }

  @Test
  void aProcessWhoseOutputHasALeakReportFailsWhenItsFixtureCloses(@TempDir Path dir)
      throws Exception {
    JarProcess leaking =
        JarProcess.start("leaking", dir, java(List.of(LeaksOnPurpose.class.getName())));
    leaking.awaitLine("done", BOUND);

    AssertionError failure = assertThrows(AssertionError.class, leaking::close);

    assertTrue(
        failure.getMessage().startsWith("leaking reported a leaked Netty buffer"),
        failure.getMessage());
    assertTrue(failure.getMessage().contains(JarProcess.LEAK_REPORT), failure.getMessage());
  }

  /** This JVM's java and classpath, with the leak detector the build's test JVMs get. */
  private static List<String> java(List<String> mainAndArgs) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-Dio.netty.leakDetection.level=paranoid");
    command.add("-Dio.netty.customResourceLeakDetector=" + RecordingLeakDetector.class.getName());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(mainAndArgs);
    return command;
  }
}
