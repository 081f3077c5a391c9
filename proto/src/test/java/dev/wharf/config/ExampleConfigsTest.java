package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example in deploy/examples is a valid config, and survives a round trip. */
class ExampleConfigsTest {
  private static final Path EXAMPLES = Path.of("..", "deploy", "examples");

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertFalse(yaml.isEmpty(), "no examples found in " + EXAMPLES.toAbsolutePath());
      return yaml.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void exampleIsValidAndRoundTrips(Path file) throws Exception {
    Config config = ConfigDocuments.load(file);

    assertEquals(config, ConfigDocuments.load(ConfigDocuments.toYaml(config), "again"));
  }

  @Test
  void theSpaSeedExampleHasTheRewriteTimeoutAndTryFilesOfItsNginxSeed() throws Exception {
    Config c = ConfigDocuments.load(EXAMPLES.resolve("seed-spa-api-websocket.yaml"));

    var api =
        c.getRoutesList().stream().filter(r -> r.getName().equals("api")).findFirst().orElseThrow();
    assertEquals("^/api/?(.*)", api.getProxy().getRewrite().getRegex());
    assertEquals("/$1", api.getProxy().getRewrite().getReplacement());
    assertEquals(300, api.getProxy().getReadTimeout().getSeconds());
    var spa = c.getRoutes(0).getStatic();
    assertEquals(List.of("$uri", "$uri/", "/index.html", "=404"), spa.getTryFilesList());
  }

  @Test
  void theTengineSeedExampleKeepsItsLimitsAndLogFormat() throws Exception {
    Config c = ConfigDocuments.load(EXAMPLES.resolve("seed-tengine-websocket.yaml"));

    assertEquals(80L << 20, c.getRoutes(0).getMaxBodySize().getBytes());
    assertEquals("/websocket", c.getRoutes(0).getMatch().getPath().getPrefixNoRegex());
    assertEquals(List.of("test.com"), c.getRoutes(0).getMatch().getHostsList());
    assertEquals(
        "$remote_addr - $remote_user [$time_local] \"$request\" \"$request_time\" "
            + "\"$upstream_response_time\"$status $body_bytes_sent \"$http_referer\" "
            + "\"$http_user_agent\" $http_x_forwarded_for $host $hostname",
        c.getListeners(0).getAccessLog().getFormat());
  }
}
