package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListenerPortsTest {
  private final List<Config> applied = new ArrayList<>();
  private final ConfigSink recording =
      new ConfigSink() {
        @Override
        public void apply(Config config, long version) {
          applied.add(config);
        }

        @Override
        public long version() {
          return applied.size();
        }
      };

  @Test
  void onlyTheNamedListenersMoveAndTheRestOfTheConfigIsUntouched() throws Exception {
    Config fleet =
        Config.newBuilder()
            .addListeners(
                Listener.newBuilder().setName("web").setAddress("127.0.0.1").setPort(8080))
            .addListeners(
                Listener.newBuilder().setName("admin").setAddress("127.0.0.1").setPort(81))
            .build();

    ListenerPorts.override(recording, Map.of("web", 18080, "gone", 9)).apply(fleet, 3);

    Config bound = applied.get(0);
    assertEquals(18080, bound.getListeners(0).getPort());
    assertEquals("127.0.0.1", bound.getListeners(0).getAddress());
    assertEquals(81, bound.getListeners(1).getPort());
    assertEquals(8080, fleet.getListeners(0).getPort(), "the pushed config is not modified");
  }

  @Test
  void withoutOverridesTheSinkIsUsedAsItIs() {
    assertSame(recording, ListenerPorts.override(recording, Map.of()));
  }
}
