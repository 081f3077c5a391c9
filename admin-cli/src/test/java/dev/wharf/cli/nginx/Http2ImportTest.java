package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.config.Http2Options;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen ... http2}, {@code http2 on|off} and the {@code http2_*} directives: an imported
 * listener speaks HTTP/2 exactly where nginx did, although Wharf's default (on with TLS) is not
 * nginx's (off).
 */
class Http2ImportTest {
  private static final String CERT =
      "ssl_certificate /etc/ssl/a.pem; ssl_certificate_key /etc/ssl/a.key;";

  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void aTlsListenerWithoutHttp2InNginxKeepsHttp2Off() {
    NginxImport.Result r =
        imports.of("server { listen 443 ssl; " + CERT + " location / { return 204; } }");

    Listener https = r.config().getListeners(0);
    assertEquals("enabled: false\n", yaml(https.getHttp2()));
    assertEquals(false, Http2Options.of(https).offered());
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(List.of(), imports.lines(r, Kind.CHECK));
  }

  @Test
  void listenHttp2OrHttp2OnLeavesWharfsDefaultWhichOffersH2OverTls() {
    NginxImport.Result r =
        imports.of(
            "http {\n"
                + "  server { listen 443 ssl http2; "
                + CERT
                + " location / { return 204; } }\n"
                + "  server { listen 8443 ssl; http2 on; "
                + CERT
                + " location / { return 204; } }\n"
                + "  server { listen 9443 ssl spdy; "
                + CERT
                + " location / { return 204; } }\n"
                + "}\n");

    for (Listener l : r.config().getListenersList()) {
      assertEquals(false, l.hasHttp2(), l.getName());
      assertEquals(true, Http2Options.of(l).offered(), l.getName());
    }
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(List.of(), imports.lines(r, Kind.CHECK));
  }

  @Test
  void http2InheritedFromTheHttpBlockAppliesToEveryServerAndOffTurnsItOff() {
    Config c =
        imports
            .of(
                "http {\n"
                    + "  http2 on;\n"
                    + "  server { listen 443 ssl; "
                    + CERT
                    + " location / { return 204; } }\n"
                    + "  server { listen 8443 ssl; http2 off; "
                    + CERT
                    + " location / { return 204; } }\n"
                    + "}\n")
            .config();

    assertEquals(false, c.getListeners(0).hasHttp2());
    assertEquals("enabled: false\n", yaml(c.getListeners(1).getHttp2()));
  }

  @Test
  void plainListenHttp2IsH2cWithPriorKnowledge() {
    NginxImport.Result r =
        imports.of(
            """
            server { listen 8080 http2; location / { return 204; } }
            server { listen 8081; location / { return 204; } }
            """);

    Listener h2c = r.config().getListeners(0);
    assertEquals("cleartext: true\n", yaml(h2c.getHttp2()));
    assertEquals(true, Http2Options.of(h2c).cleartext());
    Listener plain = r.config().getListeners(1);
    assertEquals(false, plain.hasHttp2());
    assertEquals(false, Http2Options.of(plain).offered());
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void http2OnAListenOfAnAddressTurnsItOnForEveryServerThereAsInNginx() {
    NginxImport.Result r =
        imports.of(
            "http {\n"
                + "  server { listen 443 ssl; server_name a.example; "
                + CERT
                + " location / { return 204; } }\n"
                + "  server { listen 443 ssl http2; server_name b.example; "
                + CERT
                + " location / { return 204; } }\n"
                + "  server { listen 443 ssl; server_name c.example; http2 off; "
                + CERT
                + " location / { return 204; } }\n"
                + "}\n");

    assertEquals(1, r.config().getListenersCount());
    assertEquals(false, r.config().getListeners(0).hasHttp2());
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(List.of(), imports.lines(r, Kind.CHECK));
  }

  @Test
  void serversThatDisagreeThroughHttp2DirectivesAreReportedAndTheListenerSpeaksIt() {
    NginxImport.Result r =
        imports.of(
            "http {\n"
                + "  server { listen 443 ssl; server_name a.example; "
                + CERT
                + " location / { return 204; } }\n"
                + "  server { listen 443 ssl; server_name b.example; http2 on; "
                + CERT
                + " location / { return 204; } }\n"
                + "  server { listen 443 ssl; server_name c.example; http2 off; "
                + CERT
                + " location / { return 204; } }\n"
                + "}\n");

    assertEquals(false, r.config().getListeners(0).hasHttp2());
    assertEquals(
        List.of(
            "nginx.conf:3: http2 on -- nginx speaks HTTP/2 only with the servers that have "
                + "http2 on (picked by the TLS server name; on a plain address, the default "
                + "server); Wharf's listener 'https' speaks it with every server on it",
            "nginx.conf:4: http2 off -- listener 'https' speaks HTTP/2 with every server on it, "
                + "as the server at nginx.conf:3 has http2 on; nginx did not with this server"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void concurrentStreamsAndPrereadSizeBecomeTheListenersHttp2Settings() {
    NginxImport.Result r =
        imports.of(
            "server { listen 443 ssl http2; http2_max_concurrent_streams 64;"
                + " http2_body_preread_size 128k; "
                + CERT
                + " location / { return 204; } }\n"
                + "server { listen 444 ssl http2; http2_max_concurrent_streams 20000;"
                + " http2_body_preread_size 32m; "
                + CERT
                + " location / { return 204; } }\n");

    Listener tuned = r.config().getListeners(0);
    assertEquals(
        """
        max_concurrent_streams: 64
        initial_stream_window: 128k
        """,
        yaml(tuned.getHttp2()));
    assertEquals(64, Http2Options.of(tuned).maxConcurrentStreams());
    assertEquals(128 * 1024, Http2Options.of(tuned).initialStreamWindow());
    assertEquals(false, r.config().getListeners(1).hasHttp2());
    assertEquals(
        List.of(
            "nginx.conf:2: http2_max_concurrent_streams 20000 -- Wharf takes 1 to 10000 "
                + "concurrent streams; the default 128 applies",
            "nginx.conf:2: http2_body_preread_size 32m -- Wharf's stream window "
                + "(initial_stream_window) is 1k to 16m; the default 64k applies"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }

  @Test
  void headerBuffersAndKeepaliveTimeoutGoverningHttp1AlsoGovernHttp2() {
    Listener l =
        imports
            .of(
                "server { listen 443 ssl http2; large_client_header_buffers 4 16k;"
                    + " keepalive_timeout 30s; "
                    + CERT
                    + " location / { return 204; } }")
            .config()
            .getListeners(0);

    Http2Options h2 = Http2Options.of(l);
    assertEquals(true, h2.offered());
    assertEquals(64 * 1024, h2.maxHeaderListSize());
    assertEquals(16 * 1024, l.getMaxHeaderLineSize().getBytes());
    assertEquals(30, l.getKeepaliveTimeout().getSeconds());
  }

  @Test
  void serverPushAndObsoleteDirectivesSayWhy() {
    NginxImport.Result r =
        imports.of(
            """
            server {
                listen 8080 http2;
                http2 maybe;
                http2_push /style.css;
                http2_push_preload on;
                http2_idle_timeout 3m;
                http2_recv_buffer_size 512k;
                location / { return 204; }
            }
            """);

    assertEquals(
        List.of(
            "nginx.conf:3: http2 maybe -- 'maybe' is not on or off",
            "nginx.conf:4: http2_push /style.css -- HTTP/2 server push is obsolete: browsers "
                + "removed it and nginx 1.25.1 ignores it; Wharf does not push (send a Link: "
                + "rel=preload header, or 103 Early Hints from the backend)",
            "nginx.conf:5: http2_push_preload on -- HTTP/2 server push is obsolete: browsers "
                + "removed it and nginx 1.25.1 ignores it; Wharf does not push (send a Link: "
                + "rel=preload header, or 103 Early Hints from the backend)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "nginx.conf:6: http2_idle_timeout 3m -- obsolete since nginx 1.19.7, which ignores "
                + "it: keepalive_timeout and client_header_timeout apply to HTTP/2 connections, "
                + "in Wharf too",
            "nginx.conf:7: http2_recv_buffer_size 512k -- nginx HTTP/2 buffer tuning; Wharf "
                + "sizes its HTTP/2 buffers itself"),
        imports.lines(r, Kind.NOT_NEEDED));
    assertEquals("cleartext: true\n", yaml(r.config().getListeners(0).getHttp2()));
  }
}
