package dev.wharf.cli.client;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What wharfctl takes from the world around it: environment variables, the home directory (for the
 * contexts file), how channels are opened, and time. Tests pass their own, so commands run against
 * an in-process Admin service and a clock that advances without sleeping.
 */
public record Environment(
    Map<String, String> variables, Path home, Transport transport, Clock clock, Sleeper sleeper) {
  public Environment {
    variables = Map.copyOf(variables);
  }

  /** The process's own environment, the shaded Netty transport and the system clock. */
  public static Environment system() {
    return new Environment(
        System.getenv(),
        Path.of(System.getProperty("user.home")),
        Transport.netty(),
        Clock.systemUTC(),
        d -> Thread.sleep(d.toMillis()));
  }

  /** The variable's value, or empty when it is unset or blank. */
  Optional<String> variable(String name) {
    String value = variables.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  /** Waits; the system one sleeps, a test's advances its clock. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }
}
