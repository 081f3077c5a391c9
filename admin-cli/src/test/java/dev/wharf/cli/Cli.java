package dev.wharf.cli;

import dev.wharf.cli.client.Environment;
import dev.wharf.cli.client.Transport;
import dev.wharf.cli.command.Input;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/**
 * Runs wharfctl commands as a user would type them, against the real Admin service ({@link
 * RealAdmin}) served in-process under the names used as {@code --server} addresses ({@code
 * cp-1:9700}), or as a whole replica on a loopback port reached under such a name. A name nothing
 * is served under is unreachable (UNAVAILABLE), as a stopped replica is. Every call is recorded on
 * the way out ({@link #sent}). Environment variables and the home directory are the test's, never
 * the machine's.
 */
public final class Cli implements AutoCloseable {
  /** What a command did: its exit code and what it printed. */
  public record Result(int exitCode, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** One channel opened by the command: to which server, with which CA. */
  public record Opened(String server, Optional<Path> tlsCa) {}

  public final Map<String, String> env = new HashMap<>();
  public final FakeTime time = new FakeTime();
  private final Path home;
  private final List<Server> servers = new ArrayList<>();
  private final List<Opened> opened = new ArrayList<>();
  private final List<RealAdmin> reals = new ArrayList<>();
  private final Map<String, InetSocketAddress> replicas = new HashMap<>();
  private final CallRecorder calls = new CallRecorder();
  private Transport transport = this::inProcess;
  private Input input = new Input(() -> new ByteArrayInputStream(new byte[0]), false);

  public Cli(Path home) {
    this.home = home;
  }

  /** Serves the real Admin service under {@code name}; closed with this. */
  public RealAdmin serveReal(String name) {
    RealAdmin real = open(name);
    try {
      servers.add(
          InProcessServerBuilder.forName(name).addService(real.definition()).build().start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return real;
  }

  /**
   * Serves the real Admin service under {@code name} as a whole replica on a loopback port, with
   * its real authentication and {@code tokenLines} as its token file (none: loopback callers only);
   * channels to {@code name} go there over TCP, in plaintext. Closed with this.
   */
  public RealAdmin serveReplica(String name, String... tokenLines) {
    RealAdmin real = open(name);
    replicas.put(name, real.listen(List.of(tokenLines)));
    return real;
  }

  private RealAdmin open(String name) {
    RealAdmin real =
        RealAdmin.open(
            home.resolve("store-" + name.replace(':', '-')),
            name.substring(0, name.lastIndexOf(':')));
    reals.add(real);
    return real;
  }

  /** What {@code -f -} reads, and whether a person is at a terminal to answer. */
  public Cli stdin(String text, boolean terminal) {
    this.input =
        new Input(() -> new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), terminal);
    return this;
  }

  /** Serves any Admin implementation under {@code name} (e.g. one scripting a Watch stream). */
  public Cli serve(String name, io.grpc.BindableService service) {
    try {
      servers.add(InProcessServerBuilder.forName(name).addService(service).build().start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Replaces how channels are opened (to make it fail). */
  public Cli transport(Transport t) {
    this.transport = t;
    return this;
  }

  public List<Opened> opened() {
    return List.copyOf(opened);
  }

  /** The calls the commands made, in order, with what each sent. */
  public List<CallRecorder.Sent> sent() {
    return calls.sent();
  }

  /** The calls the commands made to {@code server}: their method names. */
  public List<String> calls(String server) {
    return calls.sent().stream()
        .filter(c -> c.server().equals(server))
        .map(CallRecorder.Sent::method)
        .toList();
  }

  /**
   * Runs {@code commit} once the next read (GetConfig, GetObject, ListObjects) is answered, before
   * the command gets the answer: as another writer committing right after the command read.
   */
  public Cli afterNextRead(Runnable commit) {
    calls.afterNextRead(commit);
    return this;
  }

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = execute(out, err, args);
    return new Result(code, out.toString(), err.toString());
  }

  /**
   * Runs a command that does not end by itself ({@code get ... --watch}) on a thread of its own:
   * the test reads what it printed so far and waits for its end.
   */
  public Running start(String... args) {
    return new Running(args);
  }

  private int execute(StringWriter out, StringWriter err, String... args) {
    Environment environment = new Environment(env, home, transport, time, time);
    CommandLine cmd = WharfCtl.commandLine(environment, input);
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  /** A command started by {@link #start}; its output is readable while it runs. */
  public final class Running {
    private final StringWriter out = new StringWriter(); // a StringBuffer: safe to read meanwhile
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> code;

    private Running(String... args) {
      code = new CompletableFuture<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  code.complete(execute(out, err, args));
                } catch (Throwable e) {
                  code.completeExceptionally(e);
                }
              },
              "wharfctl-" + String.join("-", args));
      t.setDaemon(true);
      t.start();
    }

    /** What the command printed so far. */
    public String out() {
      return out.toString();
    }

    /** The command's result once it ends; AssertionError when it runs longer than {@code bound}. */
    public Result await(Duration bound) {
      try {
        int exit = code.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        return new Result(exit, out.toString(), err.toString());
      } catch (TimeoutException e) {
        throw new AssertionError("still running after " + bound + "; printed: " + out(), e);
      } catch (ExecutionException e) {
        throw new AssertionError("the command threw", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private ManagedChannel inProcess(String server, Optional<Path> tlsCa) {
    opened.add(new Opened(server, tlsCa));
    InetSocketAddress replica = replicas.get(server);
    if (replica != null) {
      return NettyChannelBuilder.forAddress(replica)
          .usePlaintext()
          .intercept(calls.to(server))
          .build();
    }
    return InProcessChannelBuilder.forName(server).intercept(calls.to(server)).build();
  }

  @Override
  public void close() {
    for (Server s : servers) {
      s.shutdownNow();
    }
    try {
      for (Server s : servers) {
        s.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reals.forEach(RealAdmin::close);
  }
}
