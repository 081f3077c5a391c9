package dev.wharf.cli;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigException;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The documents the tests apply and start the real Admin service from. */
public final class Configs {
  /** One listener, an upstream of two endpoints, a route to retire and a route to keep. */
  public static final String BEFORE =
      """
      listeners:
        - {name: web, port: 8080}
      upstreams:
        - name: app
          endpoints:
            - {address: "10.0.0.5:9000", weight: 1}
            - {address: "10.0.0.6:9000", weight: 1}
      routes:
        - name: old
          match: {path: {prefix: /old/}}
          respond: {status: 410}
        - name: web
          match: {path: {prefix: /}}
          proxy: {upstream: app}
      """;

  /** BEFORE with a route added, a weight changed and the old route gone. */
  public static final String AFTER =
      """
      listeners:
        - {name: web, port: 8080}
      upstreams:
        - name: app
          endpoints:
            - {address: "10.0.0.5:9000", weight: 1}
            - {address: "10.0.0.6:9000", weight: 3}
      routes:
        - name: api
          match: {path: {prefix: /api/}}
          proxy: {upstream: app}
        - name: web
          match: {path: {prefix: /}}
          proxy: {upstream: app}
      """;

  private Configs() {}

  public static Config parse(String yaml) {
    try {
      return ConfigDocuments.load(yaml, "test");
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  public static Config demo() {
    try {
      return ConfigDocuments.load(Path.of("../deploy/examples/demo.yaml"));
    } catch (ConfigException | IOException e) {
      throw new AssertionError(e);
    }
  }

  public static Path write(Path dir, String name, String text) {
    try {
      return Files.writeString(dir.resolve(name), text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
