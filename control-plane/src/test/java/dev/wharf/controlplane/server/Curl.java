package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Runs the real {@code curl} against a replica's HTTP/JSON Admin API and reads what it saw. */
final class Curl {
  private static final TypeRegistry DETAILS =
      TypeRegistry.newBuilder()
          .add(BadRequest.getDescriptor())
          .add(ErrorInfo.getDescriptor())
          .build();

  /** One response: status, headers (lower-case names) and body. */
  record Response(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    <T extends Message.Builder> T json(T into) {
      try {
        JsonFormat.parser().usingTypeRegistry(DETAILS).merge(body, into);
        return into;
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("not JSON of " + into.getDescriptorForType() + ": " + body, e);
      }
    }

    com.google.rpc.Status error(int expectedStatus) {
      assertEquals(expectedStatus, status, this::toString);
      return json(com.google.rpc.Status.newBuilder()).build();
    }

    @Override
    public String toString() {
      return status + " " + headers + "\n" + body;
    }
  }

  private final Path curl = MissingTool.require("curl");
  private final String base;
  private final List<String> always;

  Curl(InetSocketAddress address) {
    this("http://127.0.0.1:" + address.getPort(), List.of());
  }

  /**
   * To {@code base} ({@code https://...}), with {@code always} (e.g. {@code --cacert}) on every
   * call.
   */
  Curl(String base, List<String> always) {
    this.base = base;
    this.always = List.copyOf(always);
  }

  /** {@code curl -X METHOD} with {@code token} (null: none) and extra arguments. */
  Response call(String method, String path, String token, String... extra) {
    List<String> command = new ArrayList<>(List.of(curl.toString(), "-sS", "-i", "-X", method));
    if (token != null) {
      command.addAll(List.of("-H", "Authorization: Bearer " + token));
    }
    command.addAll(List.of(extra));
    CommandRunner.Result r = run(path, command);
    assertEquals(0, r.exitCode(), r::toString);
    return parse(r.stdout());
  }

  /** Runs {@code command} to {@code path} as it is, for a call expected to fail in curl itself. */
  CommandRunner.Result run(String path, List<String> command) {
    List<String> all = new ArrayList<>(command);
    if (all.isEmpty() || !all.get(0).equals(curl.toString())) {
      all.add(0, curl.toString());
    }
    all.addAll(always);
    all.add("--path-as-is");
    all.add(base + path);
    return CommandRunner.run(Duration.ofSeconds(60), all);
  }

  Response get(String path, String token) {
    return call("GET", path, token);
  }

  /** With {@code json} as the body. */
  Response send(String method, String path, String token, String json, String... extra) {
    List<String> args = new ArrayList<>(List.of("-H", "Content-Type: application/json"));
    args.addAll(List.of("--data-binary", json));
    args.addAll(List.of(extra));
    return call(method, path, token, args.toArray(String[]::new));
  }

  static Response parse(String out) {
    String rest = out;
    while (true) {
      int end = rest.indexOf("\r\n\r\n");
      String head = end < 0 ? rest : rest.substring(0, end);
      String body = end < 0 ? "" : rest.substring(end + 4);
      String[] lines = head.split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      if (status == 100) {
        rest = body;
        continue;
      }
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
      }
      return new Response(status, headers, body);
    }
  }
}
