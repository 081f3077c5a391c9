package dev.wharf.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opentest4j.TestAbortedException;

/** Every spelling CI services use for "this is CI" makes a missing tool a failure. */
class CiTest {
  @ParameterizedTest
  @ValueSource(strings = {"true", "TRUE", "True", "1", " true\n"})
  void aMissingToolFailsUnderEveryCiSpelling(String ci) {
    assertTrue(Ci.active(ci));
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> MissingTool.missing("no nginx", ci));
    assertTrue(e.getMessage().startsWith("no nginx"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"false", "0", "", "yes-later"})
  void elsewhereAMissingToolSkips(String ci) {
    assertFalse(Ci.active(ci));
    assertThrows(TestAbortedException.class, () -> MissingTool.missing("no nginx", ci));
  }

  @Test
  void anUnsetVariableIsNotCi() {
    assertFalse(Ci.active(null));
    assertThrows(TestAbortedException.class, () -> MissingTool.missing("no nginx", null));
  }
}
