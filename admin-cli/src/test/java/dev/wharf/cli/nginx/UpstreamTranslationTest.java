package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.nginx.Verdict.Kind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** upstream blocks: endpoints, balancing, keep-alive, passive health. */
class UpstreamTranslationTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void serversWeightsAndLeastConn() {
    assertEquals(
        """
        name: app
        endpoints:
          - address: 10.0.0.1:9000
            weight: 3
          - address: app-2.internal:80
        balancing:
          policy: least_connections
        outlier_detection:
          consecutive_failures: 1
          base_ejection_time: 10s
          max_ejection_time: 10s
          max_ejection_percent: 100
          failure_window: 10s
          count_5xx_responses: false
        """,
        upstream(
            """
        least_conn;
        server 10.0.0.1:9000 weight=3;
        server app-2.internal;
        """));
  }

  @Test
  void consistentHashIsExactAndIpHashIsAHashOfTheAddressToCheck() {
    assertEquals(
        """
        name: app
        endpoints:
          - address: 10.0.0.1:9000
        balancing:
          policy: consistent_hash
          hash_key: $cookie_session$arg_room
        """,
        upstream("hash $cookie_session$arg_room consistent;\nserver 10.0.0.1:9000;\n"));

    NginxImport.Result r = imports.of(block("ip_hash;\nserver 10.0.0.1:9000;\n"));
    assertEquals("$remote_addr", r.config().getUpstreams(0).getBalancing().getHashKey());
    assertEquals(
        List.of(
            "nginx.conf:2: ip_hash -- translated as a consistent hash of "
                + "$remote_addr; nginx hashes only the first three bytes of an IPv4 address"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void keepaliveIsThePoolAndMaxFailsIsOutlierDetectionBothToCheck() {
    NginxImport.Result r =
        imports.of(
            block(
                """
        server 10.0.0.1:9000 max_fails=3 fail_timeout=30s;
        server 10.0.0.2:9000;
        keepalive 16;
        keepalive_timeout 30s;
        """));

    assertEquals(
        """
        outlier_detection:
          consecutive_failures: 3
          base_ejection_time: 30s
          max_ejection_time: 30s
          max_ejection_percent: 100
          failure_window: 30s
          count_5xx_responses: false
        pool:
          max_idle_per_endpoint: 16
          idle_timeout: 30s
        """,
        yaml(r.config().getUpstreams(0).toBuilder().clearName().clearEndpoints().build()));
    assertEquals(
        List.of(
            "nginx.conf:4: keepalive 16 -- Wharf keeps up to this many idle connections per "
                + "endpoint and event loop; nginx keeps this many per worker for the whole upstream"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void downAndBackupServersAreKeptWithTheirFlags() {
    NginxImport.Result r =
        imports.of(
            block(
                """
        server 10.0.0.1:9000;
        server 10.0.0.2:9000 down;
        server 10.0.0.3:9000 backup;
        server unix:/run/app.sock;
        zone app 64k;
        """));

    assertEquals(
        """
        - address: 10.0.0.1:9000
        - address: 10.0.0.2:9000
          down: true
        - address: 10.0.0.3:9000
          backup: true
        """,
        yaml(r.config().getUpstreams(0))
            .lines()
            .dropWhile(l -> !l.equals("endpoints:"))
            .skip(1)
            .takeWhile(l -> l.startsWith(" "))
            .map(l -> l.substring(2) + "\n")
            .reduce("", String::concat));
    assertEquals(
        List.of(
            "nginx.conf:5: server unix:/run/app.sock -- Wharf connects to endpoints over TCP, not "
                + "Unix sockets"),
        imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "nginx.conf:6: zone app 64k -- shared memory for nginx workers; each Wharf node keeps "
                + "its own upstream state"),
        imports.lines(r, Kind.NOT_NEEDED));
  }

  @Test
  void aBackupWithAHashIsLeftOutAsNginxHasNone() {
    NginxImport.Result r =
        imports.of(
            block("hash $remote_addr;\nserver 10.0.0.1:9000;\nserver 10.0.0.3:9000 backup;\n"));

    assertEquals(1, r.config().getUpstreams(0).getEndpointsCount());
    assertEquals(
        List.of(
            "nginx.conf:4: server 10.0.0.3:9000 backup -- nginx has no backup servers with hash"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void maxFailsZeroTurnsPassiveEjectionOffAndALoneServerHasNone() {
    assertEquals(
        false,
        imports
            .of(block("server 10.0.0.1:9000 max_fails=0;\nserver 10.0.0.2:9000;\n"))
            .config()
            .getUpstreams(0)
            .hasOutlierDetection());
    assertEquals(
        false,
        imports
            .of(block("server 10.0.0.1:9000;\n"))
            .config()
            .getUpstreams(0)
            .hasOutlierDetection());
  }

  @Test
  void anUpstreamWithoutUsableEndpointsIsReportedAndItsRoutesAnswer503() {
    NginxImport.Result r =
        imports.of(
            """
        upstream php { server unix:/run/php.sock; }
        server { listen 80; location / { proxy_pass http://php; } }
        """);

    assertEquals(0, r.config().getUpstreamsCount());
    assertEquals(503, r.config().getRoutes(0).getRespond().getStatus());
    assertEquals(
        List.of(
            "nginx.conf:1: upstream php {...} -- no endpoint Wharf can use",
            "nginx.conf:1: server unix:/run/php.sock -- Wharf connects to endpoints over TCP, not "
                + "Unix sockets",
            "nginx.conf:2: location / {...} -- proxy_pass http://php (line 2): upstream 'php' "
                + "(nginx.conf:1) is not translated; the route answers 503 until it is translated "
                + "by hand (with the 1 directive inside)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  private String upstream(String body) {
    return yaml(imports.of(block(body)).config().getUpstreams(0));
  }

  private static String block(String body) {
    return "upstream app {\n"
        + body
        + "}\n"
        + "server { listen 80; location / { proxy_pass http://app; } }\n";
  }
}
