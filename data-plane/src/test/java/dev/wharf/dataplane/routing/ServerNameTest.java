package dev.wharf.dataplane.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.RequestTarget;
import dev.wharf.dataplane.http.RequestVariables;
import dev.wharf.dataplane.upstream.EndpointRegistry;
import dev.wharf.dataplane.upstream.Upstreams;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code $server_name} is the first name of the server a request was matched in, printed as nginx
 * prints it (checked against nginx 1.22: lower case, {@code .dot.test} as {@code dot.test}, a regex
 * as written); "" for the default server of every host.
 */
class ServerNameTest {
  private static final RoutingTable TABLE = table();

  private static RoutingTable table() {
    try {
      var config =
          ConfigDocuments.load(
              """
              listeners: [{name: web, port: 80}]
              routes:
                - {name: any, match: {path: {prefix: /}}, respond: {}}
                - {name: named, match: {hosts: [www.example.com, "*.example.com"], path: {prefix: /}}, respond: {}}
                - {name: dotted, match: {hosts: [.dot.test], path: {prefix: /}}, respond: {}}
                - {name: regex, match: {hosts: ["~^re(\\\\d+)\\\\.test$"], path: {prefix: /}}, respond: {}}
              """,
              "test");
      return RoutingTable.compile(
          config, Upstreams.compile(config, new EndpointRegistry(), ThreadLocalRandom::current));
    } catch (ConfigException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  /** The variables of a request for {@code host}, not routed yet. */
  private static RequestVariables variables(String host) {
    DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    request.headers().set("host", host);
    return new RequestVariables(
        request,
        new RequestTarget("/", ""),
        null,
        null,
        "h",
        () -> "id",
        Instant.EPOCH,
        ZoneOffset.UTC);
  }

  /** {@code $server_name} of a request for {@code host}, as a template would read it. */
  private static String serverNameFor(String host) {
    RequestRecord record = new RequestRecord(variables(host), 0);
    CompiledRoute route = TABLE.select("web", host, "/").route();
    record.routed(route.name(), route.serverName());
    return record.get("server_name");
  }

  @ParameterizedTest(name = "{0} -> [{1}]")
  @CsvSource({
    "www.example.com, www.example.com",
    "a.example.com,   www.example.com",
    "x.dot.test,      dot.test",
    "dot.test,        dot.test",
    "re5.test,        ~^re(\\d+)\\.test$",
    "elsewhere.test,  ''",
  })
  void isTheFirstNameOfTheMatchedServerAsNginxPrintsIt(String host, String expected) {
    assertEquals(expected, serverNameFor(host));
  }

  @Test
  void isEmptyBeforeTheRequestIsRouted() {
    assertEquals("", variables("www.example.com").get("server_name"));
  }
}
