package dev.wharf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * One real Wharf process (a control-plane replica, a node) started from its runnable jar, with its
 * output in a log file the test can wait on. Stopped by its own pid only: SIGTERM first, SIGKILL
 * when it does not exit within the bound.
 *
 * <p>Netty's leak detector runs at PARANOID in the process, and nobody else reads its output for
 * leak reports: {@link #stop} and {@link #close} fail the test when the output has one.
 */
public final class JarProcess implements AutoCloseable {
  /** The runnable jars, as seen from any module's directory (a test's working directory). */
  public static final Path CONTROL_PLANE_JAR =
      Path.of("..", "control-plane", "target", "wharf-control-plane.jar");

  public static final Path DATA_PLANE_JAR =
      Path.of("..", "data-plane", "target", "wharf-data-plane.jar");
  public static final Path STANDALONE_JAR =
      Path.of("..", "standalone", "target", "wharf-standalone.jar");

  /** Small, quick-starting JVMs: a test machine runs several at once on two cores. */
  private static final List<String> JVM_FLAGS =
      List.of(
          "-Xmx256m",
          "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1",
          "-Dio.netty.leakDetection.level=paranoid");

  /** How Netty starts a leak report (its logger's message, at ERROR). */
  public static final String LEAK_REPORT = "LEAK: ";

  private boolean leaksChecked;
  private boolean paused;

  private final String name;
  private final Path log;
  private final Process process;
  private final long logStart; // where this process's output begins in the (appended) log

  private JarProcess(String name, Path log, Process process, long logStart) {
    this.name = name;
    this.log = log;
    this.process = process;
    this.logStart = logStart;
  }

  /** Starts {@code java -jar JAR ARGS...}; its stdout and stderr go to {@code logDir/NAME.log}. */
  public static JarProcess startJar(String name, Path logDir, Path jar, List<String> args)
      throws IOException {
    return startJar(name, logDir, jar, args, List.of());
  }

  /**
   * As {@link #startJar(String, Path, Path, List)}, with {@code java} run through {@code launcher}
   * (e.g. {@code nohup}, which starts it with SIGHUP ignored).
   */
  public static JarProcess startJar(
      String name, Path logDir, Path jar, List<String> args, List<String> launcher)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar.toAbsolutePath()
              + " is missing: build the jars first "
              + "(./mvnw -B -DskipTests package)");
    }
    List<String> command = new ArrayList<>(launcher);
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(JVM_FLAGS);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    return start(name, logDir, command);
  }

  /**
   * As {@link #startJar(String, Path, Path, List)}, with more JVM options (e.g. {@code
   * -Dwharf.log.drain=DEBUG}) after the usual ones.
   */
  public static JarProcess startJarWithJvmOptions(
      String name, Path logDir, Path jar, List<String> jvmOptions, List<String> args)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build the jars first");
    }
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(JVM_FLAGS);
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    return start(name, logDir, command);
  }

  /**
   * Starts {@code command} (a JVM the caller built; give it {@code
   * -Dio.netty.leakDetection.level=paranoid} to have its leaks checked) with its output in {@code
   * logDir/NAME.log}.
   */
  public static JarProcess start(String name, Path logDir, List<String> command)
      throws IOException {
    Path log = logDir.resolve(name + ".log");
    // Appended to, so a restarted process keeps its predecessor's lines for a reader of the file;
    // this process reads (awaits, checks for leaks) only its own, from here.
    long logStart = Files.exists(log) ? Files.size(log) : 0;
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    return new JarProcess(name, log, p, logStart);
  }

  /**
   * Waits for an output line starting with {@code prefix} and returns the rest of it; fails with
   * the log when the bound passes or the process exits first.
   */
  public String awaitLine(String prefix, Duration bound) {
    String line =
        awaitLine(l -> l.startsWith(prefix), "a line starting with '" + prefix + "'", bound);
    return line.substring(prefix.length()).strip();
  }

  /**
   * As {@link #awaitLine}, for a process started on ports from {@link FreePorts#retryWhenTaken(int,
   * FreePorts.Start)}: when the output says a port was taken ("address already in use") before the
   * line comes, the process is stopped and this throws at once, with a message {@link
   * FreePorts#isAddressInUse} recognises, so the retry starts again on other ports.
   */
  public String awaitStarted(String prefix, Duration bound) throws InterruptedException {
    String line =
        awaitLine(
            l -> l.startsWith(prefix) || FreePorts.isAddressInUse(new IllegalStateException(l)),
            "a line starting with '" + prefix + "'",
            bound);
    if (!line.startsWith(prefix)) {
      close();
      throw new IllegalStateException(name + " found a port taken: " + line);
    }
    return line.substring(prefix.length()).strip();
  }

  /** Waits for an output line containing {@code fragment} (log lines start with a timestamp). */
  public String awaitLineContaining(String fragment, Duration bound) {
    return awaitLine(l -> l.contains(fragment), "a line containing '" + fragment + "'", bound);
  }

  private String awaitLine(Predicate<String> wanted, String what, Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      for (String line : lines()) {
        if (wanted.test(line)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError(
            name
                + " exited with "
                + process.exitValue()
                + " before printing "
                + what
                + ":\n"
                + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            name + " did not print " + what + " within " + bound + ":\n" + output());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  /** Lines printed so far that contain {@code fragment}. */
  public long countLinesContaining(String fragment) {
    return lines().stream().filter(l -> l.contains(fragment)).count();
  }

  public String output() {
    return String.join("\n", lines());
  }

  private List<String> lines() {
    try {
      if (!Files.exists(log)) {
        return List.of();
      }
      byte[] all = Files.readAllBytes(log);
      int from = (int) Math.min(logStart, all.length);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      return List.of("(cannot read " + log + ": " + e + ")");
    }
  }

  /**
   * Fails when the output has a Netty leak report. Called by {@link #stop} and {@link #close}; a
   * test that needs the check at another moment (before reading an exit code it expects) may call
   * it itself.
   */
  public void assertNoLeakReport() {
    leaksChecked = true;
    List<String> lines = lines();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(LEAK_REPORT)) {
        int end = Math.min(lines.size(), i + 30);
        throw new AssertionError(
            name
                + " reported a leaked Netty buffer (log "
                + log
                + "):\n"
                + String.join("\n", lines.subList(i, end)));
      }
    }
  }

  public long pid() {
    return process.pid();
  }

  public String name() {
    return name;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits until the process exits by itself (a drain it was asked for) and returns its exit code;
   * fails with the log when it is still running after {@code bound}.
   */
  public int awaitExit(Duration bound) throws InterruptedException {
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not exit within " + bound + ":\n" + output());
    }
    return process.exitValue();
  }

  /**
   * Sends {@code signal} ({@code STOP}, {@code CONT}, ...) to this process by its pid, with the
   * {@code kill} command: {@link ProcessHandle} sends no other signals than TERM and KILL. STOP
   * freezes it as a hung process (its sockets stay open); CONT lets it go on.
   */
  public void signal(String signal) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: " + out);
    }
  }

  /**
   * SIGSTOP: the process hangs as a whole (its sockets stay open, nothing answers) until {@link
   * #resume}.
   */
  public void pause() throws InterruptedException {
    signalUnchecked("STOP");
    paused = true;
  }

  /** SIGCONT: a {@link #pause}d process runs on. */
  public void resume() throws InterruptedException {
    signalUnchecked("CONT");
    paused = false;
  }

  private void signalUnchecked(String name) throws InterruptedException {
    try {
      signal(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL: the process gets no chance to say goodbye (a crashed replica). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then SIGKILL after {@code bound}; returns the exit code. */
  public int stop(Duration bound) throws InterruptedException {
    if (paused && process.isAlive()) {
      resume(); // a stopped process would not act on SIGTERM
    }
    process.destroy();
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    int exitCode = process.exitValue();
    assertNoLeakReport();
    return exitCode;
  }

  /** Stops the process if it runs, then fails if its output has a leak report not checked yet. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(10));
    } else if (!leaksChecked) {
      assertNoLeakReport();
    }
  }

  /**
   * Closes every one of {@code processes}, the last started first, even when closing one fails (a
   * leak report): no process outlives its test. Throws the first failure, the others suppressed in
   * it.
   */
  public static void closeAll(List<? extends JarProcess> processes) throws InterruptedException {
    AssertionError first = null;
    for (int i = processes.size() - 1; i >= 0; i--) {
      try {
        processes.get(i).close();
      } catch (AssertionError e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }
}
