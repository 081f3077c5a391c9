package dev.wharf.cli.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.config.ConfigValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import never drops a directive silently: each directive of the input, wherever it is, has
 * exactly one verdict, and each one that is not simply translated is listed in the header of the
 * output, on its own or with the block that stands for it.
 */
class EveryDirectiveIsAccountedForTest {
  @TempDir Path dir;

  @Test
  void eachDirectiveOfAKitchenSinkConfigIsTranslatedOrListed() throws Exception {
    Imports imports = new Imports(dir);
    imports.write(
        "snippets/proxy.conf",
        """
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_buffering off;
        """);
    imports.write(
        "sites/app.conf",
        """
        server {
            listen 80 default_server;
            listen [::]:80 default_server;
            server_name app.example.com;
            root /srv/app;
            if ($http_user_agent ~ bot) { return 403; }
            set $tenant main;
            location / { try_files $uri /index.html; expires 1h; }
            location /api/ {
                include snippets/proxy.conf;
                proxy_pass http://api/v2/;
                limit_req zone=api burst=5;
                more_set_headers "X-Api: 1";
            }
            location /ws { include snippets/proxy.conf; proxy_pass http://api; }
            location ~ \\.php$ { fastcgi_pass 127.0.0.1:9000; fastcgi_index index.php; }
            location @fallback { proxy_pass http://api; }
            location = /favicon.ico { access_log off; log_not_found off; }
            error_page 500 502 /50x.html;
        }
        server {
            listen 443 ssl http2;
            http2 on;
            http2_max_concurrent_streams 64;
            http2_push_preload on;
            http2_idle_timeout 3m;
            ssl_certificate /etc/ssl/app.pem;
            ssl_certificate_key /etc/ssl/app.key;
            return 301 http://$host$request_uri;
        }
        """);
    Path conf =
        imports.write(
            "nginx.conf",
            """
        user www-data;
        worker_processes auto;
        events { worker_connections 768; multi_accept on; }
        stream { server { listen 5432; proxy_pass db:5432; } }
        http {
            include mime.types;
            sendfile on;
            frobnicate on;
            limit_req_zone $binary_remote_addr zone=api:10m rate=1r/s;
            proxy_cache_path /var/cache/nginx keys_zone=c:10m;
            map $http_upgrade $connection_upgrade { default upgrade; '' close; }
            map $uri $flavour { default plain; ~^/x x; }
            upstream api { least_conn; server 10.0.0.1:8080 weight=2; server 10.0.0.2:8080; }
            gzip on;
            gzip_types text/css;
            include sites/*.conf;
        }
        """);
    List<Directive> main = NginxParser.create(Optional.empty()).parse(conf);

    NginxImport.Result result = NginxImport.translate(main);

    assertEquals(List.of(), ConfigValidator.validate(result.config()));
    Map<Directive, Finding> byDirective = new IdentityHashMap<>();
    for (Finding f : result.findings()) {
      assertEquals(null, byDirective.put(f.directive(), f), "two verdicts on " + f.directive());
    }
    List<Directive> all = all(main);
    assertEquals(all.size(), byDirective.size(), "a verdict on a directive not in the input");
    String header = new ImportReport(result.findings()).header("nginx.conf");
    for (Directive d : all) {
      Finding f = byDirective.get(d);
      assertTrue(f != null, "no verdict on " + d);
      if (f.verdict().kind() != Kind.TRANSLATED) {
        Directive listed = f.block() == null ? d : f.block();
        assertTrue(
            header.contains("#   " + listed.origin() + ": " + listed.text()),
            d + " (" + f.verdict() + ") is not listed in\n" + header);
      }
    }
    assertEquals(
        Optional.of(
            Verdict.notTranslated("wharfctl import-nginx does not know this " + "directive")),
        verdictOf(result, "frobnicate"));
    assertEquals(
        Optional.of(
            Verdict.notTranslated("wharfctl import-nginx does not know this " + "directive")),
        verdictOf(result, "more_set_headers"));
  }

  private static Optional<Verdict> verdictOf(NginxImport.Result r, String name) {
    return r.findings().stream()
        .filter(f -> f.directive().name().equals(name))
        .map(Finding::verdict)
        .findFirst();
  }

  private static List<Directive> all(List<Directive> directives) {
    List<Directive> out = new ArrayList<>();
    for (Directive d : directives) {
      out.add(d);
      out.addAll(all(d.children()));
    }
    return out;
  }
}
