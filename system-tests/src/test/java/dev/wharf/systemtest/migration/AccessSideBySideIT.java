package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx's allow/deny, auth_basic and satisfy side by side: one nginx file, run by a real nginx and,
 * through {@code wharfctl import-nginx}, by a real Wharf node. Other client addresses are presented
 * through {@code X-Forwarded-For} from a trusted 127.0.0.1 ({@code set_real_ip_from}). Each request
 * goes to both; the status, the {@code WWW-Authenticate} header and whether the backend received it
 * must be the same. The htpasswd file is made here: bcrypt by the system's crypt(3) (python3), apr1
 * by {@code openssl passwd}, SHA1 by the JDK.
 */
class AccessSideBySideIT {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final String TEMPLATE =
      SideBySide.http(
          """
        server {
          listen 127.0.0.1:PORT;
          set_real_ip_from 127.0.0.0/8;
          real_ip_header X-Forwarded-For;
          location /rules/ { allow 10.0.0.0/8; allow 2001:db8::/32; deny all; proxy_pass http://BACKEND; }
          location /auth/ {
            auth_basic "Staff only";
            auth_basic_user_file USERS;
            proxy_pass http://BACKEND;
            location /auth/open/ { auth_basic off; proxy_pass http://BACKEND; }
          }
          location /all/ {
            deny 192.0.2.0/24;
            auth_basic "All";
            auth_basic_user_file USERS;
            proxy_pass http://BACKEND;
          }
          location /any/ {
            satisfy any;
            allow 10.0.0.0/8;
            deny 192.0.2.0/24;
            auth_basic "Any";
            auth_basic_user_file USERS;
            proxy_pass http://BACKEND;
          }
        }
      """);

  @TempDir static Path dir;
  private static SideBySide sbs;
  private static TestBackend backend;

  @BeforeAll
  static void start() throws Exception {
    NginxProcess.assumeInstalled();
    Path users = dir.resolve("htpasswd");
    Files.writeString(users, users());
    sbs = SideBySide.start(dir, BOUND, 1, TEMPLATE.replace("USERS", users.toString()), "a");
    backend = sbs.backend();
  }

  private static String users() throws Exception {
    String python =
        "import crypt,sys; print(crypt.crypt(sys.argv[1],"
            + " crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))";
    String bcrypt = tool(List.of("python3", "-W", "ignore", "-c", python, "b-secret"));
    String apr1 = tool(List.of("openssl", "passwd", "-apr1", "a-secret"));
    String sha =
        "{SHA}"
            + Base64.getEncoder()
                .encodeToString(
                    MessageDigest.getInstance("SHA-1")
                        .digest("s-secret".getBytes(StandardCharsets.UTF_8)));
    return "bee:"
        + bcrypt
        + "\nyve:"
        + bcrypt.replace("$2b$", "$2y$")
        + "\napr:"
        + apr1
        + "\nsha:"
        + sha
        + "\n";
  }

  private static String tool(List<String> command) {
    if (!Files.isExecutable(Path.of("/usr/bin", command.get(0)))
        && CommandRunner.run(BOUND, List.of("sh", "-c", "command -v " + command.get(0))).exitCode()
            != 0) {
      MissingTool.missing(command.get(0) + " is needed to make the htpasswd file");
    }
    CommandRunner.Result r = CommandRunner.run(BOUND, command);
    assertEquals(0, r.exitCode(), r.toString());
    return r.stdout().strip();
  }

  @AfterAll
  static void stop() throws Exception {
    if (sbs != null) {
      sbs.close();
    }
  }

  /** What a client and the backend see of one request. */
  private record Seen(int status, String challenge, int atBackend) {}

  private static Seen send(int port, String path, String... headerLines) throws Exception {
    SideBySide.Answer r = sbs.get(port, path, "a", headerLines);
    int reached = 0;
    if (r.status() == 200) {
      backend.takeRequest(BOUND);
      reached = 1;
    }
    backend.assertNoUnconsumedRequests();
    return new Seen(r.status(), r.header("www-authenticate"), reached);
  }

  /** The same requests to nginx, then to Wharf: the same answers, the same backend view. */
  private static List<Seen> same(String path, String[]... requests) throws Exception {
    return sbs.same(
        path,
        port -> {
          List<Seen> seen = new ArrayList<>();
          for (String[] headers : requests) {
            seen.add(send(port, path, headers));
          }
          return seen;
        });
  }

  private static String[] h(String... lines) {
    return lines;
  }

  private static String basic(String userAndPassword) {
    return "Authorization: Basic "
        + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void allowAndDenyDecideOnTheForwardedAddressInOrder() throws Exception {
    List<Seen> seen =
        same(
            "/rules/x",
            h(),
            h("X-Forwarded-For: 10.1.2.3"),
            h("X-Forwarded-For: 11.1.2.3"),
            h("X-Forwarded-For: 2001:db8::5"),
            h("X-Forwarded-For: 2001:db9::5"));
    assertEquals(
        List.of(403, 200, 403, 200, 403), seen.stream().map(Seen::status).toList(), "" + seen);
  }

  @Test
  void eachHashSchemeAndEveryWrongPasswordAnswerAsNginx() throws Exception {
    List<Seen> seen =
        same(
            "/auth/x",
            h(),
            h(basic("bee:b-secret")),
            h(basic("bee:b-secreT")),
            h(basic("yve:b-secret")),
            h(basic("apr:a-secret")),
            h(basic("apr:b-secret")),
            h(basic("sha:s-secret")),
            h(basic("sha:")),
            h(basic("nobody:s-secret")));
    assertEquals(
        List.of(401, 200, 401, 200, 200, 401, 200, 401, 401),
        seen.stream().map(Seen::status).toList(),
        "" + seen);
    assertEquals("Basic realm=\"Staff only\"", seen.get(0).challenge());
    same("/auth/open/x", h());
  }

  @Test
  void hostileAuthorizationHeadersAnswerAsNginx() throws Exception {
    same(
        "/auth/x",
        h("Authorization: Basic !!!"),
        h("Authorization: Basic"),
        h(basic("bee")),
        h(basic("bee\r\n:b-secret")),
        h("Authorization: Bearer abc"),
        h("Authorization: basic   " + basic("sha:s-secret").substring(21)));
  }

  @Test
  void satisfyAllAndAnyCombineAddressAndCredentialsAsNginx() throws Exception {
    same(
        "/all/x",
        h(),
        h("X-Forwarded-For: 192.0.2.7", basic("sha:s-secret")),
        h("X-Forwarded-For: 198.51.100.7"),
        h("X-Forwarded-For: 198.51.100.7", basic("sha:s-secret")));
    List<Seen> any =
        same(
            "/any/x",
            h(),
            h("X-Forwarded-For: 10.9.9.9"),
            h("X-Forwarded-For: 192.0.2.7"),
            h("X-Forwarded-For: 192.0.2.7", basic("apr:a-secret")),
            h(basic("bee:b-secret")));
    assertEquals(
        List.of(401, 200, 401, 200, 200), any.stream().map(Seen::status).toList(), "" + any);
  }
}
