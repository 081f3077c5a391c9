package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One nginx configuration run twice, side by side: by a real nginx, and, through {@code wharfctl
 * import-nginx}, by a real Wharf node, both in front of the same {@link TestBackend}s. A test
 * writes the configuration once; the fixture gives each proxy its own listen ports, starts
 * everything, and compares what a client (and the backends) see of each.
 *
 * <p>A template's placeholders: {@code PORT} (one server) or {@code PORT1}, {@code PORT2}, ...
 * (several), each replaced by that server's {@code 127.0.0.1} port of the proxy being written;
 * {@code BACKEND} by the first backend's {@code host:port}, and {@code BACKEND_<NAME>} (the name in
 * upper case) by each backend's; {@code UNUSED1} and {@code UNUSED2} by {@code 127.0.0.1:port}
 * addresses where nothing listens (connections to them are refused). Anything else (a document
 * root, an htpasswd file) the test puts in the template before, below {@code dir} so that nginx's
 * workers may read it.
 *
 * <p>Requests go to nginx first, then to Wharf: each proxy keeps its own counts (rate limits,
 * failures), so a sequence is sent to one whole, then to the other whole.
 */
final class SideBySide implements AutoCloseable {
  /** The default bound of every wait (start, a request, a backend's record). */
  static final Duration BOUND = Duration.ofSeconds(30);

  private static final int UNUSED = 2;

  /** What one proxy shows of a request, for comparison: a record, a list, a status. */
  interface View<T> {
    T at(int port) throws Exception;
  }

  private final Duration bound;
  private final Map<String, TestBackend> backends;
  private final List<FreePorts.Refusing> unused = new ArrayList<>();
  private List<Integer> nginxPorts = List.of();
  private List<Integer> wharfPorts = List.of();
  private NginxProcess nginx;
  private JarProcess wharf;

  private SideBySide(Duration bound, Map<String, TestBackend> backends) {
    this.bound = bound;
    this.backends = backends;
  }

  /** One server on {@code template}, in front of backends of these names, with {@link #BOUND}. */
  static SideBySide start(Path dir, String template, String... backendNames) throws Exception {
    return start(dir, BOUND, 1, template, backendNames);
  }

  /**
   * {@code servers} servers ({@code PORT1}...) on {@code template}, waits bounded by {@code bound}.
   */
  static SideBySide start(
      Path dir, Duration bound, int servers, String template, String... backendNames)
      throws Exception {
    return start(
        dir,
        bound,
        servers,
        (at, ports, sbs) -> {
          Files.createDirectories(at.resolve("logs"));
          Path file = at.resolve("nginx.conf");
          Files.writeString(file, sbs.fill(template, ports));
          return file;
        },
        backendNames);
  }

  /** As above, with the test writing each proxy's files itself (e.g. a seed's conf.d layout). */
  static SideBySide start(
      Path dir, Duration bound, int servers, FileWriter writer, String... backendNames)
      throws Exception {
    NginxProcess.assumeInstalled();
    Map<String, TestBackend> backends = new LinkedHashMap<>();
    for (String name : backendNames) {
      backends.put(name, TestBackend.start(name));
    }
    SideBySide sbs = new SideBySide(bound, backends);
    try {
      // Held bound and never listening, so nothing can start answering on them during the test.
      for (int i = 0; i < UNUSED; i++) {
        sbs.unused.add(FreePorts.refusing());
      }
      // Each proxy on its own fresh ports, written again on others when one was taken meanwhile.
      Path prefix = dir.resolve("nginx");
      NginxProcess.Listening nginx =
          NginxProcess.startOnFreePorts(
              servers,
              prefix,
              ports -> {
                Path conf = writer.write(prefix, ports, sbs);
                SeedSetup.makeReadable(dir);
                return conf;
              },
              bound);
      sbs.nginx = nginx.nginx();
      sbs.nginxPorts = List.copyOf(nginx.ports());
      sbs.wharf =
          FreePorts.retryWhenTaken(
              servers,
              ports -> {
                Path conf = writer.write(dir.resolve("wharf"), ports, sbs);
                SeedSetup.makeReadable(dir);
                sbs.wharfPorts = List.copyOf(ports);
                return ImportedNode.start(dir, conf, bound);
              });
      for (int port : sbs.nginxPorts) {
        Await.until(bound, () -> answers(port), sbs.nginx::errors);
      }
      return sbs;
    } catch (Exception | Error e) {
      sbs.close();
      throw e;
    }
  }

  /** Writes one proxy's files under {@code at} (its ports given) and returns its nginx.conf. */
  interface FileWriter {
    Path write(Path at, List<Integer> ports, SideBySide sbs) throws IOException;
  }

  /**
   * An nginx.conf of one worker, no access log, and {@code httpBody} as its {@code http} block:
   * what every side-by-side test runs.
   */
  static String http(String httpBody) {
    return "worker_processes 1;\n"
        + "events { worker_connections 64; }\n"
        + "http {\n"
        + "  access_log off;\n"
        + httpBody
        + "}\n";
  }

  /** {@code template} with one proxy's ports and the backends' addresses in. */
  String fill(String template, List<Integer> ports) {
    String conf = template;
    if (ports.size() == 1) {
      conf = conf.replace("PORT", Integer.toString(ports.get(0)));
    } else {
      for (int i = ports.size(); i >= 1; i--) {
        conf = conf.replace("PORT" + i, Integer.toString(ports.get(i - 1)));
      }
    }
    for (int i = 0; i < UNUSED; i++) {
      conf = conf.replace("UNUSED" + (i + 1), unused.get(i).hostPort());
    }
    for (TestBackend b : backends.values()) {
      conf = conf.replace("BACKEND_" + b.name().toUpperCase(Locale.ROOT), b.endpoint());
    }
    if (!backends.isEmpty()) {
      conf = conf.replace("BACKEND", backends.values().iterator().next().endpoint());
    }
    return conf;
  }

  private static boolean answers(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  Duration bound() {
    return bound;
  }

  /** The first backend. */
  TestBackend backend() {
    return backends.values().iterator().next();
  }

  TestBackend backend(String name) {
    return backends.get(name);
  }

  /** nginx's port of the first server. */
  int nginxPort() {
    return nginxPorts.get(0);
  }

  /** Wharf's port of the first server. */
  int wharfPort() {
    return wharfPorts.get(0);
  }

  /** nginx's port then Wharf's, of the first server: for a sequence sent to each in turn. */
  List<Integer> ports() {
    return List.of(nginxPort(), wharfPort());
  }

  /** Which proxy listens on {@code port}, for a message. */
  String nameOf(int port) {
    return nginxPorts.contains(port) ? "nginx" : "wharf";
  }

  /** Takes every request the backends recorded and not taken yet; returns how many. */
  int forgetBackendRequests() {
    int n = 0;
    for (TestBackend b : backends.values()) {
      while (b.pendingRequests() > 0) {
        b.takeRequest(bound);
        n++;
      }
    }
    return n;
  }

  /** {@code view} of nginx's first server, then of Wharf's: equal; returns Wharf's. */
  <T> T same(String what, View<T> view) throws Exception {
    return same(what, 0, view);
  }

  /** {@code view} of nginx's {@code server}, then of Wharf's: equal; returns Wharf's. */
  <T> T same(String what, int server, View<T> view) throws Exception {
    T fromNginx = view.at(nginxPorts.get(server));
    T fromWharf = view.at(wharfPorts.get(server));
    assertEquals(fromNginx, fromWharf, what);
    return fromWharf;
  }

  /** A response as it came: the status, the header lines in order, the body (de-chunked). */
  record Answer(int status, List<String> headerLines, String body) {
    /** The first value of header {@code name}, or null. */
    String header(String name) {
      for (String line : headerLines) {
        int colon = line.indexOf(':');
        if (line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).strip();
        }
      }
      return null;
    }

    /** Every line of these headers, in order, as {@code name:value} (name lower case). */
    List<String> headers(String... names) {
      List<String> wanted = Arrays.asList(names);
      List<String> out = new ArrayList<>();
      for (String line : headerLines) {
        int colon = line.indexOf(':');
        String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
        if (wanted.contains(name)) {
          out.add(name + ":" + line.substring(colon + 1).strip());
        }
      }
      return out;
    }
  }

  /**
   * {@code GET target} on a raw socket (so any Host and header bytes can be sent), with {@code
   * Connection: close}; the answer read until the proxy closes.
   */
  Answer get(int port, String target, String host, String... headerLines) throws IOException {
    StringBuilder raw = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n");
    for (String line : headerLines) {
      raw.append(line).append("\r\n");
    }
    raw.append("Connection: close\r\n\r\n");
    byte[] response;
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout((int) bound.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(raw.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      response = s.getInputStream().readAllBytes();
    }
    return parse(response);
  }

  private static Answer parse(byte[] response) throws IOException {
    String text = new String(response, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IOException("no complete head in: " + text);
    }
    List<String> head = new ArrayList<>(List.of(text.substring(0, end).split("\r\n")));
    int status = Integer.parseInt(head.remove(0).split(" ")[1]);
    byte[] rest = Arrays.copyOfRange(response, end + 4, response.length);
    Answer a = new Answer(status, List.copyOf(head), "");
    String length = a.header("content-length");
    if ("chunked".equalsIgnoreCase(a.header("transfer-encoding"))) {
      rest = dechunk(rest);
    } else if (length != null && Integer.parseInt(length) < rest.length) {
      rest = Arrays.copyOf(rest, Integer.parseInt(length));
    }
    return new Answer(status, a.headerLines(), new String(rest, StandardCharsets.UTF_8));
  }

  private static byte[] dechunk(byte[] chunked) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int at = 0;
    while (true) {
      int eol = indexOfCrlf(chunked, at);
      String sizeLine = new String(chunked, at, eol - at, StandardCharsets.ISO_8859_1);
      int semicolon = sizeLine.indexOf(';');
      int size =
          Integer.parseInt(
              (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
      if (size == 0) {
        return body.toByteArray();
      }
      body.write(chunked, eol + 2, size);
      at = eol + 2 + size + 2;
    }
  }

  private static int indexOfCrlf(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    throw new IllegalArgumentException("a chunk size line without its CRLF");
  }

  @Override
  public void close() throws Exception {
    if (wharf != null) {
      wharf.close();
    }
    if (nginx != null) {
      nginx.close();
    }
    for (TestBackend b : backends.values()) {
      b.close();
    }
    unused.forEach(FreePorts.Refusing::close);
  }
}
