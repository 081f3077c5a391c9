package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wharf.proto.config.v1.Config;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The validator, given configs no document reader would make (any field set, through the
 * descriptors, to hostile strings, extreme numbers and cross references that may or may not
 * resolve), answers with problems, each naming a field and a reason, or with none: it never throws.
 * The data plane and the control plane call it on whatever arrives.
 */
class ConfigValidatorFuzzTest {
  /** A hang is a finding too: Jazzer turns the timeout into libFuzzer's per-input limit. */
  @FuzzTest(maxDuration = "60s")
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void anyConfigGetsProblemsOrNoneAndNeverAnException(FuzzedDataProvider data) {
    Config config = new FuzzedConfigs(data).config();
    List<ConfigError> problems = ConfigValidator.validate(config);
    assertNotNull(problems);
    for (ConfigError problem : problems) {
      assertFalse(problem.message().isBlank(), () -> "no reason: " + problem);
    }
  }
}
