package dev.wharf.standalone;

import dev.wharf.dataplane.discovery.DiscoveryEvents;
import dev.wharf.launch.StartupException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the node did with each version, said on stdout; and whether it serves the version the file
 * was committed as at start, which decides whether standalone starts at all.
 */
final class NodeOutcomes implements DiscoveryEvents {
  private final long first;
  private final PrintWriter out;

  /** Completes with null when the node applies the first version, or with the refusal. */
  private final CompletableFuture<String> firstOutcome = new CompletableFuture<>();

  NodeOutcomes(long first, PrintWriter out) {
    this.first = first;
    this.out = out;
  }

  @Override
  public void applied(long version, String source) {
    if (version >= first) {
      firstOutcome.complete(null);
    }
    out.println("applied version " + version);
    out.flush();
  }

  @Override
  public void refused(long version, String source, String reason) {
    if (version >= first && firstOutcome.complete(reason)) {
      return; // at start nothing serves yet: awaitFirst says the reason and that it stops
    }
    out.println("version " + version + " refused, still serving the previous one: " + reason);
    out.flush();
  }

  /**
   * Waits until the node applied the first version.
   *
   * @throws StartupException when the node refused it ({@code config} cannot be served), or did not
   *     answer within {@code bound}
   */
  void awaitFirst(Path config, Duration bound)
      throws StartupException, InterruptedException, ExecutionException {
    String refused;
    try {
      refused = firstOutcome.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw StartupException.failed(
          "the node did not apply version " + first + " within " + bound.toSeconds() + "s");
    }
    if (refused != null) {
      throw StartupException.failed(
          config + " cannot be served: " + refused + "; nothing was started, standalone stops");
    }
  }
}
