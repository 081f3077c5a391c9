package dev.wharf.dataplane.http2;

import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.dataplane.testing.TestPki;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A {@link TestNode} for the HTTP/2 parity tests: a TLS listener {@code tls} (h2 through ALPN, a
 * TestPki certificate for {@code h2.test}) and a cleartext listener {@code clear} (h2c with prior
 * knowledge), both given the same extra listener settings, then the test's upstreams and routes;
 * and the real clients that speak to it, {@code curl} and {@code nghttp}.
 */
final class H2Node implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final String HOST = "h2.test";

  final TestPki pki;
  final TestNode node;

  private H2Node(TestPki pki, TestNode node) {
    this.pki = pki;
    this.node = node;
  }

  /**
   * Starts a node whose config is the two listeners (each with {@code listenerExtra}, YAML flow
   * entries starting with ", " or "", where {@code {name}} stands for the listener's name) followed
   * by {@code rest} (upstreams and routes).
   */
  static H2Node start(Path dir, String listenerExtra, String rest) throws Exception {
    return start(dir, listenerExtra, rest, UnaryOperator.identity());
  }

  static H2Node start(
      Path dir, String listenerExtra, String rest, UnaryOperator<TestNode.Builder> builder)
      throws Exception {
    MissingTool.require("curl");
    MissingTool.require("nghttp");
    TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
    TestPki.Issued cert = pki.rsa("h2-cert", HOST);
    TestNode node =
        builder
            .apply(TestNode.builder())
            .start(
                ports ->
                    """
        listeners:
          - {name: tls, address: 127.0.0.1, port: %d%s,
             tls: {certificates: [{certificate_file: "%s", key_file: "%s"}]}}
          - {name: clear, address: 127.0.0.1, port: %d%s, http2: {cleartext: true}}
        """
                            .formatted(
                                ports.next(),
                                listenerExtra.replace("{name}", "tls"),
                                cert.certificate(),
                                cert.key(),
                                ports.next(),
                                listenerExtra.replace("{name}", "clear"))
                        + rest);
    return new H2Node(pki, node);
  }

  int tlsPort() {
    return node.address("tls").getPort();
  }

  /** {@code https://h2.test:PORT} then {@code path}, resolved to 127.0.0.1 by {@link #curl}. */
  String https(String path) {
    return "https://" + HOST + ":" + tlsPort() + path;
  }

  /** {@code http://127.0.0.1:PORT} of the h2c listener, then {@code path}. */
  String h2c(String path) {
    return "http://127.0.0.1:" + node.address("clear").getPort() + path;
  }

  /** curl, silent but for errors, trusting the test CA, with h2.test resolved to loopback. */
  CommandRunner.Result curl(String... args) {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "50"));
    command.addAll(
        List.of(
            "--cacert",
            pki.caCertificate().toString(),
            "--resolve",
            HOST + ":" + tlsPort() + ":127.0.0.1"));
    command.addAll(List.of(args));
    return CommandRunner.run(WAIT, command);
  }

  /** nghttp with {@code args}. */
  static CommandRunner.Result nghttp(String... args) {
    List<String> command = new ArrayList<>(List.of("nghttp", "-t", "50"));
    command.addAll(List.of(args));
    return CommandRunner.run(WAIT, command);
  }

  @Override
  public void close() {
    node.close();
  }
}
