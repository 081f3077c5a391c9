package dev.wharf.dataplane.discovery;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.testing.FreshListenerPorts;
import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.ProxyAction;
import java.io.IOException;
import java.net.http.HttpResponse;

/**
 * A real data-plane node for the discovery tests, and the configs they push to it: one listener on
 * a loopback port answering every path with a body that names the version, so a plain HTTP GET
 * shows which config serves.
 */
final class ServingNode implements AutoCloseable {
  private final TestNode test = TestNode.builder().build();
  final DataPlaneNode node = test.node();

  /**
   * The node's sink, binding listener {@code web} on a fresh port ({@link FreshListenerPorts}): the
   * configs' {@link #CONFIGURED_PORT} is a placeholder, {@link #get} asks the node where it bound.
   */
  final ConfigSink sink = FreshListenerPorts.of(ConfigSink.of(node), "web");

  /** The port the tests' configs name for listener {@code web}; the node binds another. */
  static final int CONFIGURED_PORT = 8080;

  /** Every path answers {@code body}. */
  static Config respond(int port, String body) {
    return load(
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: %d}
        routes:
          - name: all
            match: {path: {prefix: /}}
            respond: {body: "%s"}
        """
            .formatted(port, body));
  }

  /** Valid YAML the validator refuses: the route proxies to an upstream that does not exist. */
  static Config missingUpstream(int port) {
    Config ok = respond(port, "unused");
    return ok.toBuilder()
        .setRoutes(
            0,
            ok.getRoutes(0).toBuilder().setProxy(ProxyAction.newBuilder().setUpstream("nowhere")))
        .build();
  }

  static Config load(String yaml) {
    try {
      return ConfigDocuments.load(yaml, "test");
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /** The body of {@code GET /} on the node's listener {@code web}. */
  String get() throws IOException, InterruptedException {
    HttpResponse<String> r = Http.get(test.uri("web", "/"));
    if (r.statusCode() != 200) {
      throw new AssertionError("GET / answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  @Override
  public void close() {
    test.close();
  }
}
