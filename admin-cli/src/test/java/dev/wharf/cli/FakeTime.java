package dev.wharf.cli;

import dev.wharf.cli.client.Environment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A clock that stands still until something sleeps; sleeping advances it at once, and runs what the
 * test says happens meanwhile (a node applying a version, leaving the fleet).
 */
public final class FakeTime extends Clock implements Environment.Sleeper {
  private Instant now = Instant.parse("2025-03-01T10:00:00Z");
  private final List<Duration> sleeps = new ArrayList<>();
  private final Deque<Runnable> meanwhile = new ArrayDeque<>();

  @Override
  public synchronized void sleep(Duration d) {
    sleeps.add(d);
    now = now.plus(d);
    Runnable next = meanwhile.poll();
    if (next != null) {
      next.run();
    }
  }

  /** Runs {@code steps} in turn, one during each sleep from now on; later sleeps run nothing. */
  public synchronized FakeTime meanwhile(Runnable... steps) {
    meanwhile.addAll(List.of(steps));
    return this;
  }

  public synchronized List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
