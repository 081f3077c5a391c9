package dev.wharf.controlplane.server;

import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.wharf.config.DocumentLimits;
import dev.wharf.controlplane.admin.AdminService;
import dev.wharf.controlplane.admin.Caller;
import dev.wharf.proto.admin.v1.AdminGrpc;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Admin API's HTTP/JSON face ({@code --admin-http}), for curl and tools without gRPC. Each
 * request is authenticated by the replica's {@link Authenticator} (bearer token, or the client
 * certificate when the replica serves mTLS), under the permissions of the RPC its path transcodes
 * to ({@link AdminHttpRoutes}), and answered by the same {@link AdminService}.
 *
 * <p>Served like {@link MetricsEndpoint}, by the JDK's HTTP server (HTTPS with the replica's
 * certificate when it has one): Admin calls are few and block on the store, so a small pool of
 * threads serves them; a full queue refuses connections instead of queueing without bound.
 *
 * <p>Answers: 200 with the response message as JSON and, when it has a version, an {@code ETag}
 * with it; on failure the HTTP status of the gRPC code ({@link HttpJson#httpStatus}) and a {@code
 * google.rpc.Status} JSON body with the same message and details as the gRPC face. Never a stack
 * trace. Bodies over {@link DocumentLimits#MAX_BYTES}: 413 before they are parsed.
 */
final class AdminHttpEndpoint implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminHttpEndpoint.class);
  private static final int THREADS = 4;
  private static final int QUEUE = 64;
  private static final String JSON = "application/json; charset=utf-8";

  private final HttpServer server;
  private final ThreadPoolExecutor pool;
  private final AdminHttpRoutes routes;
  private final Authenticator authenticator;

  private AdminHttpEndpoint(
      HttpServer server, AdminService admin, Authenticator authenticator, ThreadPoolExecutor pool) {
    this.server = server;
    this.pool = pool;
    this.routes = new AdminHttpRoutes(admin);
    this.authenticator = authenticator;
  }

  /**
   * Listens on {@code address}; over TLS with {@code tls} (not null), asking for a client
   * certificate when {@code wantClientCertificates}.
   */
  static AdminHttpEndpoint start(
      InetSocketAddress address,
      AdminService admin,
      Authenticator authenticator,
      SSLContext tls,
      boolean wantClientCertificates)
      throws IOException {
    HttpServer server;
    try {
      if (tls == null) {
        server = JdkHttpServers.http(address, 64);
      } else {
        HttpsServer https = JdkHttpServers.https(address, 64);
        https.setHttpsConfigurator(
            new HttpsConfigurator(tls) {
              @Override
              public void configure(HttpsParameters params) {
                SSLParameters ssl = tls.getDefaultSSLParameters();
                ssl.setWantClientAuth(wantClientCertificates);
                params.setSSLParameters(ssl);
              }
            });
        server = https;
      }
    } catch (IOException e) {
      throw new IOException(
          "cannot listen for the HTTP Admin API on " + address + ": " + e.getMessage(), e);
    }
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "wharf-admin-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    AdminHttpEndpoint endpoint = new AdminHttpEndpoint(server, admin, authenticator, pool);
    server.createContext("/", endpoint::handle);
    server.setExecutor(pool);
    server.start();
    return endpoint;
  }

  /**
   * The JDK TLS context of the replica's certificate and key (PEM), trusting client certificates of
   * {@code clientCa} when it is not null.
   */
  static SSLContext tls(Path cert, Path key, Path clientCa) throws IOException {
    try {
      SslContextBuilder b = SslContextBuilder.forServer(cert.toFile(), key.toFile());
      b.sslProvider(SslProvider.JDK);
      if (clientCa != null) {
        b.trustManager(clientCa.toFile()).clientAuth(ClientAuth.OPTIONAL);
      }
      return ((JdkSslContext) b.build()).context();
    } catch (IllegalArgumentException | SSLException e) {
      throw new IOException(
          "HTTP Admin API TLS: certificate " + cert + ", key " + key + ": " + e.getMessage(), e);
    }
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  private void handle(HttpExchange ex) {
    try (ex) {
      Reply reply;
      try {
        reply = answer(ex);
      } catch (StatusRuntimeException e) {
        reply = Reply.error(e);
      } catch (RuntimeException e) {
        log.error("HTTP Admin {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
        reply =
            Reply.error(
                Status.INTERNAL
                    .withDescription(
                        "the request failed inside the replica; its log has the details")
                    .asRuntimeException());
      }
      send(ex, reply);
    } catch (IOException e) {
      log.debug("HTTP Admin: could not answer {}: {}", ex.getRemoteAddress(), e.toString());
    }
  }

  private Reply answer(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    List<String> segments = segments(path);
    Map<String, AdminHttpRoutes.Call> calls =
        segments == null ? Map.of() : routes.resolve(path, segments);
    String method = ex.getRequestMethod();
    AdminHttpRoutes.Call call = calls.get(method);
    // Credentials first, even for a path that does not exist: a stranger learns nothing. Where
    // there is no call, any caller who may read the Admin API may hear so.
    Caller caller =
        authenticate(
            ex,
            call != null
                ? call.rpc().getFullMethodName()
                : AdminGrpc.getGetConfigMethod().getFullMethodName());
    if (calls.isEmpty()) {
      throw Status.NOT_FOUND
          .withDescription("no Admin API path " + abbreviate(path) + " (see docs/admin-api.md)")
          .asRuntimeException();
    }
    if (call == null) {
      return Reply.notAllowed(method, calls.keySet());
    }
    AdminHttpRequest request =
        new AdminHttpRequest(
            segments,
            AdminHttpRequest.parseQuery(ex.getRequestURI().getRawQuery()),
            ex.getRequestHeaders().getFirst("If-Match"),
            method.equals("PUT") || method.equals("POST") ? readBody(ex) : new byte[0]);
    Context context = caller.attachTo(Context.current());
    Context previous = context.attach();
    try {
      return Reply.ok(call.invocation().invoke(request));
    } finally {
      context.detach(previous);
    }
  }

  private Caller authenticate(HttpExchange ex, String rpc) {
    try {
      return authenticator.authenticate(
          ex.getRemoteAddress(),
          ex.getRequestHeaders().getFirst("Authorization"),
          () ->
              ex instanceof HttpsExchange https
                  ? Authenticator.clientCertificate(https.getSSLSession())
                  : Optional.empty(),
          rpc);
    } catch (StatusException e) {
      throw e.getStatus().asRuntimeException();
    }
  }

  /** The decoded segments after {@code /v1/}; null for any other path or an empty segment. */
  private static List<String> segments(String path) {
    if (path == null) {
      return null;
    }
    if (path.equals("/v1:apply") || path.equals("/v1:rollback")) {
      return List.of();
    }
    if (!path.startsWith("/v1/")) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String raw : path.substring("/v1/".length()).split("/", -1)) {
      if (raw.isEmpty()) {
        return null;
      }
      out.add(AdminHttpRequest.decode(raw, "path"));
    }
    return out;
  }

  private static byte[] readBody(HttpExchange ex) throws IOException {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > DocumentLimits.MAX_BYTES) {
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw HttpJson.invalid("Content-Length", "not a number");
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readNBytes(DocumentLimits.MAX_BYTES + 1);
      if (body.length > DocumentLimits.MAX_BYTES) {
        throw tooLarge();
      }
      return body;
    }
  }

  private static StatusRuntimeException tooLarge() {
    return Status.RESOURCE_EXHAUSTED
        .withDescription("the body is larger than " + DocumentLimits.MAX_BYTES + " bytes")
        .asRuntimeException();
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static void send(HttpExchange ex, Reply reply) throws IOException {
    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
    var headers = ex.getResponseHeaders();
    headers.set("Content-Type", JSON);
    headers.set("Cache-Control", "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    reply.headers().forEach(headers::set);
    ex.sendResponseHeaders(reply.status(), bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops listening; calls in progress are cut off. */
  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }

  /** What is sent back. */
  private record Reply(int status, Map<String, String> headers, String body) {
    static Reply ok(Message message) {
      long version = HttpJson.version(message);
      return new Reply(
          200,
          version < 0 ? Map.of() : Map.of("ETag", "\"" + version + "\""),
          HttpJson.print(message));
    }

    static Reply error(StatusRuntimeException e) {
      int status = HttpJson.httpStatus(e.getStatus().getCode());
      Map<String, String> headers =
          status == 401 ? Map.of("WWW-Authenticate", "Bearer realm=\"wharf\"") : Map.of();
      return new Reply(status, headers, HttpJson.print(HttpJson.statusOf(e)));
    }

    static Reply notAllowed(String method, java.util.Set<String> allowed) {
      String allow = String.join(", ", allowed);
      return new Reply(
          405,
          Map.of("Allow", allow),
          HttpJson.print(
              com.google.rpc.Status.newBuilder()
                  .setCode(Status.Code.UNIMPLEMENTED.value())
                  .setMessage(
                      "method "
                          + abbreviate(method)
                          + " is not allowed here (allowed: "
                          + allow
                          + ")")
                  .build()));
    }
  }
}
