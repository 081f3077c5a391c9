package dev.wharf.dataplane.proxy;

import static dev.wharf.dataplane.proxy.ProxyPhase.AWAITING_RESPONSE;
import static dev.wharf.dataplane.proxy.ProxyPhase.CONNECTING;
import static dev.wharf.dataplane.proxy.ProxyPhase.DONE;
import static dev.wharf.dataplane.proxy.ProxyPhase.RESPONDING;
import static dev.wharf.dataplane.proxy.ProxyPhase.UPGRADING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The moves ProxyPhase allows are exactly the table in its Javadoc. */
class ProxyPhaseTest {
  private static final Map<ProxyPhase, Set<ProxyPhase>> TABLE =
      Map.of(
          CONNECTING, EnumSet.of(AWAITING_RESPONSE, DONE),
          AWAITING_RESPONSE, EnumSet.of(RESPONDING, UPGRADING, CONNECTING, DONE),
          UPGRADING, EnumSet.of(DONE),
          RESPONDING, EnumSet.of(DONE),
          DONE, EnumSet.noneOf(ProxyPhase.class));

  @Test
  void onlyTheDocumentedMovesAreLegal() {
    for (ProxyPhase from : ProxyPhase.values()) {
      for (ProxyPhase to : ProxyPhase.values()) {
        assertEquals(TABLE.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
      }
    }
  }

  @Test
  void anUpstreamConnectionIsHeldBetweenConnectedAndDone() {
    assertEquals(
        EnumSet.of(AWAITING_RESPONSE, UPGRADING, RESPONDING),
        EnumSet.copyOf(Arrays.stream(ProxyPhase.values()).filter(ProxyPhase::attached).toList()));
  }
}
