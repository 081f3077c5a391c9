package dev.wharf.cli.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NginxParserTest {
  @TempDir Path dir;

  @Test
  void directivesAndBlocksKeepTheirArgumentsAndLines() throws Exception {
    List<Directive> main =
        parse(
            """
        worker_processes 4;
        http {
            server {
                listen 80 default_server;
                location /api { proxy_pass http://b; }
            }
        }
        """);

    assertEquals(
        List.of(
            "worker_processes 4 @1",
            "http @2",
            "server @3",
            "listen 80 default_server @4",
            "location /api @5",
            "proxy_pass http://b @5"),
        flat(main));
    assertTrue(main.get(1).isBlock());
    assertEquals(dir.resolve("nginx.conf"), main.get(0).origin().file());
  }

  @Test
  void commentsStartOnlyAtATokenAndRunToTheEndOfTheLine() throws Exception {
    List<Directive> main =
        parse(
            """
        # a comment; with { braces }
        add_header X-A "a # not a comment";   # a comment
        add_header X-B a#b;
        """);

    assertEquals(List.of("X-A", "a # not a comment"), main.get(0).args());
    assertEquals(List.of("X-B", "a#b"), main.get(1).args());
    assertEquals(2, main.get(0).origin().line());
  }

  @Test
  void quotesAndEscapesAreReadAsNginxReadsThem() throws Exception {
    List<Directive> main =
        parse(
            """
        map $http_upgrade $connection_upgrade { '' close; }
        return 200 "say \\"hi\\"\\n";
        return 200 'it\\'s';
        rewrite ^/a\\.b$ /c;
        log_format main '$remote_addr '
                        '"$request"';
        """);

    Directive emptyKey = main.get(0).children().get(0);
    assertEquals("", emptyKey.name());
    assertEquals(List.of("close"), emptyKey.args());
    assertEquals("say \"hi\"\n", main.get(1).arg(1));
    assertEquals("it's", main.get(2).arg(1));
    assertEquals("^/a\\.b$", main.get(3).arg(0));
    assertEquals(List.of("main", "$remote_addr ", "\"$request\""), main.get(4).args());
  }

  @Test
  void onlySpaceTabCrAndLfSeparateWordsAsInNginx() throws Exception {
    // nginx 1.22 -t: "return 200<VT>abc;" and "return 200<U+00A0>abc;" are one invalid code each
    List<Directive> main = parse("return\t200\u000babc;\r\nserver_name a\u00a0b c\u2028d\fe;\n");

    assertEquals(List.of("200\u000babc"), main.get(0).args());
    assertEquals(List.of("a\u00a0b", "c\u2028d\fe"), main.get(1).args());
    assertEquals(2, main.get(1).origin().line(), "CR LF is one line end");
  }

  @Test
  void aBracedVariableStaysInsideItsWord() throws Exception {
    List<Directive> main = parse("proxy_set_header X-Id ${request_id}-x;\n");

    assertEquals(List.of("X-Id", "${request_id}-x"), main.get(0).args());
  }

  @Test
  void includesAreSplicedInWithTheirOwnFileAndLineInNameOrder() throws Exception {
    write("conf.d/b.conf", "\n\nserver { listen 81; }\n");
    write("conf.d/a.conf", "server { listen 80; }\n");
    write("conf.d/.hidden.conf", "server { listen 82; }\n");
    write("conf.d/notes.txt", "this is not nginx syntax {\n");

    List<Directive> main =
        parse(
            """
        http {
            include conf.d/*.conf;
            include mime.types;
        }
        """);

    List<Directive> http = main.get(0).children();
    assertEquals(
        List.of("include", "server", "server", "include"),
        http.stream().map(Directive::name).toList());
    Directive second = http.get(2);
    assertEquals(dir.resolve("conf.d/b.conf"), second.origin().file());
    assertEquals(3, second.origin().line());
    assertSame(http.get(0).origin(), second.origin().includedFrom());
    assertEquals("81", second.children().get(0).arg(0));
  }

  @Test
  void aRelativeIncludeIsResolvedAgainstTheIncludingFilesDirectory() throws Exception {
    write("sites/site.conf", "include snippets/proxy.conf;\n");
    write("sites/snippets/proxy.conf", "proxy_read_timeout 5s;\n");

    List<Directive> main = parse("include sites/site.conf;\n");

    assertEquals("proxy_read_timeout", main.get(2).name());
    assertEquals(dir.resolve("sites/snippets/proxy.conf"), main.get(2).origin().file());
  }

  @Test
  void anIncludeNotFoundBesideTheIncludingFileIsLookedForBesideTheMainConfigAsNginxDoes()
      throws Exception {
    write("sites-enabled/app.conf", "server { include snippets/headers.conf; }\n");
    write("snippets/headers.conf", "add_header X-A a;\n");

    List<Directive> main = parse("include sites-enabled/*.conf;\n");

    Directive included = main.get(1).children().get(1);
    assertEquals("add_header", included.name());
    assertEquals(dir.resolve("snippets/headers.conf"), included.origin().file());
  }

  @Test
  void anAbsoluteIncludeIsReadBelowTheIncludeRoot() throws Exception {
    write("root/etc/nginx/conf.d/default.conf", "server { listen 8080; }\n");
    Path conf = write("root/etc/nginx/nginx.conf", "include /etc/nginx/conf.d/*.conf;\n");

    List<Directive> main = NginxParser.create(Optional.of(dir.resolve("root"))).parse(conf);

    assertEquals(dir.resolve("root/etc/nginx/conf.d/default.conf"), main.get(1).origin().file());
  }

  @Test
  void aGlobThatMatchesNothingIncludesNothing() throws Exception {
    assertEquals(1, parse("include conf.d/*.conf;\n").size());
  }

  @Test
  void aMissingIncludeIsAnErrorAtTheInclude() {
    assertEquals(
        dir.resolve("nginx.conf")
            + ":2: include 'sites/x.conf': no such file (looked for "
            + dir.resolve("sites/x.conf")
            + ")",
        error("http {\n  include sites/x.conf;\n}\n"));
  }

  @Test
  void anIncludeCycleIsAnError() throws Exception {
    write("a.conf", "include nginx.conf;\n");

    assertEquals(
        dir.resolve("a.conf")
            + ":1: include 'nginx.conf' includes "
            + dir.resolve("nginx.conf")
            + " again, which is already being read (an include cycle)",
        error("include a.conf;\n"));
  }

  @Test
  void syntaxErrorsSayWhereAndWhy() {
    String file = dir.resolve("nginx.conf").toString();
    assertEquals(file + ":3: unexpected '}' (no block is open)", error("http {\n}\n}\n"));
    assertEquals(
        file + ":1: 'http {' is never closed (the file ends first)",
        error("http {\n  server {\n    listen 80;\n  }\n"));
    assertEquals(
        file + ":1: missing ';' after 'proxy_pass http://b'",
        error("location / { proxy_pass http://b }\n"));
    assertEquals(
        file + ":2: missing ';' after 'listen 80'",
        error("server {\n  listen 80\n  server_name example.com;\n}\n"));
    assertEquals(file + ":2: missing ';' after 'gzip on'", error("\ngzip on\n"));
    assertEquals(
        file + ":2: the \" string starting here is never closed",
        error("http {\n  return 200 \"oops;\n}\n"));
    assertEquals(
        file + ":1: unexpected 'x' right after a quoted string (a space is missing?)",
        error("return 200 \"a\"x;\n"));
    assertEquals(
        file + ":1: unexpected '{' (a block needs a directive name before it)", error("{ }\n"));
    assertEquals(file + ":1: unexpected ';'", error("gzip on;;\n"));
  }

  @Test
  void aDirectiveMayGoOnOverSeveralLinesWhenNoLineStartsWithADirectiveName() throws Exception {
    List<Directive> main =
        parse(
            """
        gzip_types text/plain
                   text/css;
        """);

    assertEquals(List.of("text/plain", "text/css"), main.get(0).args());
  }

  /** Found by NginxImportFuzzTest: 20,000 nested blocks overflowed the parser's stack. */
  @Test
  void blocksNestedDeeperThanAHundredAreASyntaxErrorAtTheLineOfTheFirstTooDeep() {
    String deep = "location / {\n".repeat(20_000) + "}\n".repeat(20_000);
    NginxSyntaxException e = assertThrows(NginxSyntaxException.class, () -> parse(deep));
    assertEquals(
        dir.resolve("nginx.conf") + ":101: 'location / {' nests blocks more than 100 deep",
        e.getMessage());
  }

  @Test
  void aHundredNestedBlocksAreRead() throws Exception {
    List<Directive> main = parse("a {".repeat(100) + "}".repeat(100));
    assertEquals(100, flat(main).size());
  }

  /** Found by NginxImportFuzzTest: the glob's PatternSyntaxException escaped the parser. */
  @Test
  void anIncludeWhoseGlobHasAnUnclosedBracketIsASyntaxErrorAtItsLine() {
    NginxSyntaxException e =
        assertThrows(NginxSyntaxException.class, () -> parse("\ninclude site[a*.conf;\n"));
    assertTrue(
        e.getMessage()
            .startsWith(
                dir.resolve("nginx.conf")
                    + ":2: include 'site[a*.conf': not a valid file "
                    + "pattern ("),
        e.getMessage());
  }

  private List<Directive> parse(String text) throws IOException, NginxSyntaxException {
    return NginxParser.create(Optional.empty()).parse(write("nginx.conf", text));
  }

  private String error(String text) {
    return assertThrows(NginxSyntaxException.class, () -> parse(text)).getMessage();
  }

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  /** Every directive, depth first, as {@code name args @line}. */
  private static List<String> flat(List<Directive> directives) {
    List<String> out = new ArrayList<>();
    for (Directive d : directives) {
      out.add(d.text() + " @" + d.origin().line());
      out.addAll(flat(d.children()));
    }
    return out;
  }
}
