package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wharf.controlplane.store.EtcdConfigStore;
import dev.wharf.controlplane.store.EtcdStoreSettings;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.EtcdExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A replica started as the README's production line says: {@code --etcd URL} on an empty store, no
 * bootstrap config. An empty store is a normal state; its log says so once and holds no ERROR.
 */
class EmptyStoreStartTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger server = (Logger) LoggerFactory.getLogger(ControlPlaneServer.class);
  private Level before;

  /** Every ERROR and WARN of the process, and the replica's INFO lines (tests log at WARN). */
  @BeforeEach
  void capture() {
    before = server.getLevel();
    server.setLevel(Level.INFO);
    logged.start();
    root.addAppender(logged);
  }

  @AfterEach
  void release() {
    root.detachAppender(logged);
    server.setLevel(before);
  }

  @Test
  void aReplicaOnAnEmptyEtcdSaysNoConfigYetOnceAndLogsNoError() throws Exception {
    EtcdConfigStore store =
        EtcdConfigStore.connect(
            EtcdStoreSettings.defaults(etcd.clientEndpoints(), "cp-empty")
                .withPrefix("/wharf-empty-" + UUID.randomUUID()));
    try (ControlPlaneServer server =
        ControlPlaneServer.builder()
            .store(store)
            .replicaId("cp-empty")
            .listen(new InetSocketAddress("127.0.0.1", 0))
            .registry(new SimpleMeterRegistry())
            .shutdownGrace(Duration.ofSeconds(1))
            .start()) {
      Await.until(
          Duration.ofSeconds(20), () -> lines(Level.INFO, "no config yet").size() == 1, this::all);
    }

    assertEquals(List.of(), lines(Level.ERROR, ""), all());
    assertEquals(List.of(), lines(Level.WARN, "version 0"), all());
    assertTrue(
        lines(Level.INFO, "no config yet").get(0).contains("wharfctl apply"),
        "says how to give it one: " + all());
  }

  private List<String> lines(Level level, String containing) {
    return List.copyOf(logged.list).stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains(containing))
        .toList();
  }

  private String all() {
    return String.join(
        "\n",
        List.copyOf(logged.list).stream()
            .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage())
            .toList());
  }
}
