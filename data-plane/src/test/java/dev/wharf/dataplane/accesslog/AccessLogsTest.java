package dev.wharf.dataplane.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.http.TemplateRenderer;
import dev.wharf.proto.config.v1.AccessLog;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogsTest {
  @TempDir Path dir;

  private static Listener listener(String name, Path log, String format) {
    return Listener.newBuilder()
        .setName(name)
        .setPort(8080)
        .setAccessLog(AccessLog.newBuilder().setPath(log.toString()).setFormat(format))
        .build();
  }

  private static Config config(Listener... listeners) {
    return Config.newBuilder().addAllListeners(List.of(listeners)).build();
  }

  private static TemplateRenderer.VariableSource request(String uri) {
    return AccessLogFormatTest.vars(Map.of("request_uri", uri));
  }

  @Test
  void listenersWithoutAnAccessLogGetNoLogger() throws Exception {
    try (AccessLogs logs = new AccessLogs(16)) {
      Map<String, AccessLogger> loggers =
          logs.update(
              config(
                  Listener.newBuilder().setName("quiet").setPort(80).build(),
                  listener("web", dir.resolve("web.log"), "$request_uri")));

      assertEquals(List.of("web"), List.copyOf(loggers.keySet()));
    }
  }

  @Test
  void listenersLoggingToOnePathShareOneWriter() throws Exception {
    Path file = dir.resolve("access.log");
    try (AccessLogs logs = new AccessLogs(16)) {
      Map<String, AccessLogger> loggers =
          logs.update(
              config(
                  listener("web", file, "web $request_uri"),
                  listener("api", dir.resolve(".").resolve("access.log"), "api $request_uri")));

      assertSame(loggers.get("web").writer(), loggers.get("api").writer());
      loggers.get("web").log(request("/a"));
      loggers.get("api").log(request("/b"));
    }
    assertEquals(List.of("web /a", "api /b"), Files.readAllLines(file));
  }

  @Test
  void aPathTheNewConfigStillUsesKeepsItsWriterAndFile() throws Exception {
    Path file = dir.resolve("access.log");
    try (AccessLogs logs = new AccessLogs(16)) {
      AccessLogger before =
          logs.update(config(listener("web", file, "old $request_uri"))).get("web");
      before.log(request("/1"));

      AccessLogger after =
          logs.update(config(listener("web", file, "new $request_uri"))).get("web");
      before.log(request("/2")); // a request of the old snapshot finishing late
      logs.retireUnused();
      after.log(request("/3"));

      assertSame(before.writer(), after.writer());
    }
    assertEquals(List.of("old /1", "old /2", "new /3"), Files.readAllLines(file));
  }

  @Test
  void aPathTheNewConfigDropsIsClosedOnlyWhenRetired() throws Exception {
    Path web = dir.resolve("web.log");
    Path api = dir.resolve("api.log");
    try (AccessLogs logs = new AccessLogs(16)) {
      AccessLogger oldApi =
          logs.update(
                  config(
                      listener("web", web, "$request_uri"), listener("api", api, "$request_uri")))
              .get("api");

      Map<String, AccessLogger> loggers = logs.update(config(listener("web", web, "$request_uri")));
      oldApi.log(request("/in-flight"));
      logs.retireUnused();
      oldApi.log(request("/too-late"));

      assertEquals(List.of("web"), List.copyOf(loggers.keySet()));
      assertEquals(1, oldApi.writer().dropped());
    }
    assertEquals(List.of("/in-flight"), Files.readAllLines(api));
  }

  @Test
  void aPathThatCannotBeOpenedFailsTheUpdateAndKeepsTheWritersInUse() throws Exception {
    Path web = dir.resolve("web.log");
    Path bad = dir.resolve("missing").resolve("bad.log");
    try (AccessLogs logs = new AccessLogs(16)) {
      AccessLogger current = logs.update(config(listener("web", web, "$request_uri"))).get("web");

      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  logs.update(
                      config(
                          listener("other", dir.resolve("other.log"), "$request_uri"),
                          listener("bad", bad, "$request_uri"))));
      logs.retireUnused();
      current.log(request("/still-logged"));

      assertTrue(e.getMessage().contains("listener bad"), e.getMessage());
      assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
      assertEquals(0, current.writer().dropped());
      AccessLogger again = logs.update(config(listener("web", web, "$request_uri"))).get("web");
      assertSame(current.writer(), again.writer());
    }
    assertEquals(List.of("/still-logged"), Files.readAllLines(web));
  }

  @Test
  void aWriterWaitingToBeRetiredIsReusedWhenItsPathComesBack() throws Exception {
    Path file = dir.resolve("access.log");
    try (AccessLogs logs = new AccessLogs(16)) {
      AccessLogger first = logs.update(config(listener("web", file, "$request_uri"))).get("web");
      logs.update(config());
      AccessLogger back = logs.update(config(listener("web", file, "$request_uri"))).get("web");
      logs.retireUnused();

      assertSame(first.writer(), back.writer());
      AccessLogger elsewhere =
          logs.update(config(listener("web", dir.resolve("other.log"), "$request_uri"))).get("web");
      assertNotSame(first.writer(), elsewhere.writer());
    }
  }
}
