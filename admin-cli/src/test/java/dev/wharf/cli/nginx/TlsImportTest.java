package dev.wharf.cli.nginx;

import static dev.wharf.cli.nginx.Imports.yaml;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.proto.config.v1.Config;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** listen ... ssl, the ssl_* directives, proxy_ssl_*, realip, proxy_protocol, HTTPS redirects. */
class TlsImportTest {
  @TempDir Path dir;
  private Imports imports;

  @BeforeEach
  void setUp() {
    imports = new Imports(dir);
  }

  @Test
  void anHttpsSiteAndItsPort80RedirectBecomeATlsListenerAndAnHttpsRedirectListener() {
    NginxImport.Result r =
        imports.of(
            """
        http {
            server {
                listen 80;
                listen [::]:80;
                server_name example.com;
                return 301 https://$host$request_uri;
            }
            server {
                listen 443 ssl http2;
                listen [::]:443 ssl http2;
                server_name example.com www.example.com;
                ssl_certificate /etc/ssl/rsa.pem;
                ssl_certificate_key /etc/ssl/rsa.key;
                ssl_certificate /etc/ssl/ecdsa.pem;
                ssl_certificate_key /etc/ssl/ecdsa.key;
                ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
                ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;
                ssl_prefer_server_ciphers on;
                ssl_session_cache shared:SSL:10m;
                ssl_session_timeout 1d;
                ssl_session_tickets off;
                ssl_buffer_size 4k;
                add_header Strict-Transport-Security "max-age=63072000" always;
                location / { proxy_pass http://127.0.0.1:8080; }
            }
        }
        """);

    assertEquals(
        """
        listeners:
          - name: http
            port: 80
            https_redirect:
              status: 301
          - name: https
            port: 443
            tls:
              certificates:
                - certificate_file: /etc/ssl/rsa.pem
                  key_file: /etc/ssl/rsa.key
                  server_names:
                    - example.com
                    - www.example.com
                - certificate_file: /etc/ssl/ecdsa.pem
                  key_file: /etc/ssl/ecdsa.key
                  server_names:
                    - example.com
                    - www.example.com
              ciphers:
                - ECDHE-ECDSA-AES128-GCM-SHA256
                - ECDHE-RSA-AES128-GCM-SHA256
              prefer_server_ciphers: true
              sessions:
                tickets: false
                cache_size: 40000
                timeout: 1d
              record_size: 4k
        upstreams:
          - name: 127.0.0.1-8080
            endpoints:
              - address: 127.0.0.1:8080
        routes:
          - name: example.com-root
            listeners:
              - https
            match:
              hosts:
                - example.com
                - www.example.com
              path:
                prefix: /
            proxy:
              upstream: 127.0.0.1-8080
              location_rewrites:
                - prefix: http://127.0.0.1:8080/
                  replacement: /
            request_headers:
              set:
                - name: Host
                  value: 127.0.0.1:8080
            response_headers:
              add:
                - name: Strict-Transport-Security
                  value: max-age=63072000
        """,
        yaml(r.config()));
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "nginx.conf:4: listen [::]:80 -- served by listener 'http' on 0.0.0.0:80, IPv4 only: "
                + "Java binds :: to IPv4 and IPv6 together, so both cannot be listeners; set its "
                + "address to :: to serve IPv6 as well",
            "nginx.conf:10: listen [::]:443 ssl http2 -- served by listener 'https' on "
                + "0.0.0.0:443, IPv4 only: Java binds :: to IPv4 and IPv6 together, so both cannot "
                + "be listeners; set its address to :: to serve IPv6 as well",
            "nginx.conf:16: ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3 -- TLSv1 TLSv1.1 dropped: "
                + "Wharf does not offer protocols older than TLSv1.2; peers that only speak those "
                + "cannot connect"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void serversOnOneTlsAddressShareItsListenerAndTheDefaultServersCertificateComesFirst() {
    NginxImport.Result r =
        imports.of(
            """
        http {
            ssl_ciphers HIGH:!aNULL:!MD5;
            server {
                listen 443 ssl;
                server_name api.example.com ~^(?<n>.+)\\.example\\.net$;
                ssl_certificate /etc/ssl/api.pem;
                ssl_certificate_key /etc/ssl/api.key;
                location / { return 200 api; }
            }
            server {
                listen 443 ssl default_server;
                server_name .example.com;
                ssl_certificate /etc/ssl/wild.pem;
                ssl_certificate_key /etc/ssl/wild.key;
                ssl_stapling on;
                ssl_stapling_file /etc/ssl/wild.ocsp;
                location / { return 200 main; }
            }
            server {
                listen 443 ssl;
                server_name dyn.example.org;
                ssl_certificate /etc/ssl/$ssl_server_name.pem;
                ssl_certificate_key /etc/ssl/$ssl_server_name.key;
                ssl_protocols TLSv1.3;
                location / { return 200 dyn; }
            }
        }
        """);

    assertEquals(
        """
        name: https
        port: 443
        tls:
          certificates:
            - certificate_file: /etc/ssl/wild.pem
              key_file: /etc/ssl/wild.key
              server_names:
                - example.com
                - '*.example.com'
              ocsp_response_file: /etc/ssl/wild.ocsp
            - certificate_file: /etc/ssl/api.pem
              key_file: /etc/ssl/api.key
              server_names:
                - api.example.com
        http2:
          enabled: false
        """,
        yaml(r.config().getListeners(0)));
    assertEquals(
        List.of(
            "nginx.conf:22: ssl_certificate /etc/ssl/$ssl_server_name.pem -- a path with variables "
                + "(/etc/ssl/$ssl_server_name.pem) picks the certificate per handshake; Wharf "
                + "certificates name their files: write one certificate per server name by hand",
            "nginx.conf:23: ssl_certificate_key /etc/ssl/$ssl_server_name.key -- its "
                + "ssl_certificate (nginx.conf:22) is not translated",
            "nginx.conf:24: ssl_protocols TLSv1.3 -- listener 'https' takes ssl_protocols from "
                + "the first server on it (nginx.conf:10)"),
        imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "nginx.conf:2: ssl_ciphers HIGH:!aNULL:!MD5 -- an OpenSSL cipher expression, not a "
                + "list of cipher names: Wharf's default list (Mozilla's intermediate profile) "
                + "applies; list names to choose",
            "nginx.conf:5: server_name api.example.com ~^(?<n>.+)\\.example\\.net$ -- Wharf "
                + "picks certificates by exact and wildcard (*.example.com) names; "
                + "~^(?<n>.+)\\.example\\.net$ select no certificate, so such clients get the "
                + "listener's default certificate"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void httpsUpstreamsTakeTheLocationsProxySslSettingsAndKeepNginxsNoVerifyExplicitly() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 80;
            location /a { proxy_pass https://backend.internal; }
            location /b {
                proxy_pass https://backend.internal:8443;
                proxy_ssl_verify on;
                proxy_ssl_trusted_certificate /etc/ssl/ca.pem;
                proxy_ssl_name api.internal;
                proxy_ssl_server_name on;
                proxy_ssl_certificate /etc/ssl/client.pem;
                proxy_ssl_certificate_key /etc/ssl/client.key;
                proxy_ssl_protocols TLSv1.3;
                proxy_ssl_session_reuse off;
            }
        }
        """);

    assertEquals(
        """
        upstreams:
          - name: backend.internal
            endpoints:
              - address: backend.internal:443
            tls:
              verify: false
          - name: backend.internal-8443
            endpoints:
              - address: backend.internal:8443
            tls:
              ca_file: /etc/ssl/ca.pem
              server_name: api.internal
              send_server_name: true
              certificate_file: /etc/ssl/client.pem
              key_file: /etc/ssl/client.key
              protocols:
                - TLSv1.3
              session_reuse: false
        """,
        yaml(r.config().toBuilder().clearListeners().clearRoutes().build()));
    assertEquals(List.of(), imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "nginx.conf:3: proxy_pass https://backend.internal -- verify: false, as nginx does not "
                + "verify endpoint certificates unless proxy_ssl_verify on; Wharf verifies by "
                + "default: remove it (and name the CA in ca_file) to verify"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void proxyProtocolTrustsTheRealIpSourcesAndWithoutThemIsReported() {
    NginxImport.Result r =
        imports.of(
            """
        http {
            server {
                listen 443 ssl proxy_protocol;
                ssl_certificate /etc/ssl/a.pem;
                ssl_certificate_key /etc/ssl/a.key;
                set_real_ip_from 10.0.0.0/8;
                set_real_ip_from lb.internal;
                real_ip_header proxy_protocol;
                location / { return 204; }
            }
            server {
                listen 8080;
                set_real_ip_from 192.168.0.0/16;
                set_real_ip_from ::1;
                real_ip_header X-Forwarded-For;
                real_ip_recursive on;
                location / { return 204; }
            }
            server {
                listen 9000 proxy_protocol;
                location / { return 204; }
            }
        }
        """);

    assertEquals(
        """
        listeners:
          - name: https
            port: 443
            tls:
              certificates:
                - certificate_file: /etc/ssl/a.pem
                  key_file: /etc/ssl/a.key
            proxy_protocol:
              trusted_sources:
                - 10.0.0.0/8
              use_as_remote_addr: true
            http2:
              enabled: false
          - name: http-8080
            port: 8080
            real_ip:
              trusted_sources:
                - 192.168.0.0/16
                - ::1
              header: X-Forwarded-For
              recursive: true
          - name: http-9000
            port: 9000
        """,
        yaml(r.config().toBuilder().clearRoutes().build()));
    assertEquals(
        List.of(
            "nginx.conf:7: set_real_ip_from lb.internal -- Wharf trusts addresses and CIDRs, not "
                + "host names ('lb.internal')",
            "nginx.conf:20: listen 9000 proxy_protocol -- proxy_protocol: Wharf accepts PROXY "
                + "headers only from trusted peers, and no set_real_ip_from names them, so the "
                + "listener is made without proxy_protocol (a connection that starts with a PROXY "
                + "header is refused): add proxy_protocol.trusted_sources by hand"),
        imports.lines(r, Kind.NOT_TRANSLATED));
    assertEquals(
        List.of(
            "nginx.conf:3: listen 443 ssl proxy_protocol -- proxy_protocol: nginx read a PROXY "
                + "header from any peer; Wharf only from the set_real_ip_from peers (10.0.0.0/8) "
                + "and closes other connections"),
        imports.lines(r, Kind.CHECK));
  }

  @Test
  void aPort80ServerThatDoesMoreThanRedirectKeepsItsRoutes() {
    Config c =
        imports
            .of(
                """
        http {
            server { listen 80; server_name a.example; return 301 https://$host$request_uri; }
            server { listen 80; server_name b.example; location / { return 200 b; } }
        }
        """)
            .config();

    assertEquals(false, c.getListeners(0).hasHttpsRedirect());
    assertEquals(2, c.getRoutesCount());
  }

  @Test
  void largeClientHeaderBuffersBoundsEachHeaderLineAndTheWholeHead() {
    Config c =
        imports
            .of(
                """
        server {
            listen 80;
            large_client_header_buffers 4 32k;
            location / { return 204; }
        }
        """)
            .config();

    assertEquals(32 * 1024, c.getListeners(0).getMaxHeaderLineSize().getBytes());
    assertEquals(128 * 1024, c.getListeners(0).getMaxRequestHeaderSize().getBytes());
  }

  @Test
  void clientCertificatesAndTicketKeysComeFromTheFirstServer() {
    NginxImport.Result r =
        imports.of(
            """
        server {
            listen 8443 ssl;
            ssl_certificate /etc/ssl/a.pem;
            ssl_certificate_key /etc/ssl/a.key;
            ssl_client_certificate /etc/ssl/clients-ca.pem;
            ssl_verify_client optional;
            ssl_verify_depth 2;
            ssl_session_ticket_key /etc/ssl/ticket.new;
            ssl_session_ticket_key /etc/ssl/ticket.old;
            ssl_session_cache off;
            ssl_stapling on;
            location / { return 204; }
        }
        """);

    assertEquals(
        """
        name: https-8443
        port: 8443
        tls:
          certificates:
            - certificate_file: /etc/ssl/a.pem
              key_file: /etc/ssl/a.key
          sessions:
            ticket_key_files:
              - /etc/ssl/ticket.new
              - /etc/ssl/ticket.old
            cache_size: 0
          client_verification:
            mode: optional
            ca_file: /etc/ssl/clients-ca.pem
            depth: 2
        http2:
          enabled: false
        """,
        yaml(r.config().getListeners(0)));
    assertEquals(
        List.of(
            "nginx.conf:11: ssl_stapling on -- Wharf staples OCSP responses only from a file: "
                + "fetch the response (openssl ocsp ... -respout FILE) on a schedule and name it "
                + "in ssl_stapling_file"),
        imports.lines(r, Kind.NOT_TRANSLATED));
  }
}
