package dev.wharf.config;

import com.google.protobuf.Duration;
import dev.wharf.config.Variables.Phase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Collects validation errors, with the checks that several rule classes share. */
final class Problems {
  /** Object names: what nginx allows in upstream names, so `test.com` is a fine name. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final List<ConfigError> errors = new ArrayList<>();

  /** The variables {@code maps} define (lower case), with the phase their value is known at. */
  private final Map<String, Phase> mapVariables = new HashMap<>();

  void add(String path, String message) {
    errors.add(new ConfigError(path, message));
  }

  List<ConfigError> errors() {
    return List.copyOf(errors);
  }

  /** Whether {@code name} is a valid object name (so it may be quoted in other messages). */
  static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  void name(String path, String name) {
    if (name.isEmpty()) {
      add(path, "required");
    } else if (!NAME.matcher(name).matches()) {
      add(
          path,
          "'"
              + name
              + "' is not a valid name (letters, digits, '.', '_', '-'; "
              + "starting with a letter or digit; at most 128)");
    }
  }

  /** A duration that is unset or {@code >= 0}. */
  void notNegative(String path, boolean present, Duration d) {
    if (present && Durations.isNegative(d)) {
      add(path, Durations.format(d) + " (expected: >= 0)");
    }
  }

  /** A duration that is unset or {@code > 0}. */
  void positive(String path, boolean present, Duration d) {
    if (present && (Durations.isNegative(d) || Durations.isZero(d))) {
      add(path, Durations.format(d) + " (expected: > 0)");
    }
  }

  /** An integer that is 0 (unset: the default applies) or within {@code [min, max]}. */
  void rangeOrUnset(String path, long value, long min, long max) {
    if (value != 0 && (value < min || value > max)) {
      add(path, value + " (expected: " + min + "-" + max + ")");
    }
  }

  void range(String path, long value, long min, long max) {
    if (value < min || value > max) {
      add(path, value + " (expected: " + min + "-" + max + ")");
    }
  }

  /**
   * Compiles {@code regex} as the data plane will ({@link LinearRegex}); on failure records why,
   * e.g. "unclosed group near index 7" or "lookahead (?=...) is not supported: ...".
   */
  com.google.re2j.Pattern regex(String path, String regex, boolean caseInsensitive) {
    if (regex.isEmpty()) {
      add(path, "required");
      return null;
    }
    try {
      return LinearRegex.compile(regex, caseInsensitive);
    } catch (LinearRegex.Refused e) {
      add(path, e.getMessage());
      return null;
    }
  }

  /**
   * Parses {@code text} as a template and checks that every variable exists and is known by {@code
   * latest}; regex groups are allowed up to {@code groups} (-1: none at all).
   */
  Template template(String path, String text, Phase latest, int groups) {
    Template template;
    try {
      template = Template.parse(text);
    } catch (IllegalArgumentException e) {
      add(path, e.getMessage());
      return null;
    }
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Variable v) {
        checkVariable(path, v.name(), latest);
      } else if (part instanceof Template.Group g) {
        if (groups < 0) {
          add(path, "$" + g.number() + " refers to a regex group, but there is no regex here");
        } else if (g.number() > groups) {
          add(
              path,
              "$"
                  + g.number()
                  + " refers to group "
                  + g.number()
                  + ", but the regex has "
                  + groups
                  + (groups == 1 ? " group" : " groups"));
        }
      }
    }
    return template;
  }

  /** Makes {@code $name} known to the templates checked from now on, from {@code phase}. */
  void defineMapVariable(String name, Phase phase) {
    mapVariables.put(name.toLowerCase(Locale.ROOT), phase);
  }

  /** The phase of a built-in or map variable, or empty when {@code name} is neither. */
  Optional<Phase> phaseOf(String name) {
    return Variables.phaseOf(name)
        .or(() -> Optional.ofNullable(mapVariables.get(name.toLowerCase(Locale.ROOT))));
  }

  /** When every variable of {@code template} has its value (REQUEST for none). */
  Phase latestPhase(Template template) {
    Phase latest = Phase.REQUEST;
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Variable v) {
        Phase p = phaseOf(v.name()).orElse(Phase.REQUEST);
        latest = p.compareTo(latest) > 0 ? p : latest;
      }
    }
    return latest;
  }

  private void checkVariable(String path, String name, Phase latest) {
    phaseOf(name)
        .ifPresentOrElse(
            phase -> {
              if (phase.compareTo(latest) > 0) {
                add(
                    path,
                    "$"
                        + name
                        + " has no value yet here (it is known only after "
                        + (phase == Phase.UPSTREAM ? "an endpoint is picked" : "the response")
                        + ")");
              }
            },
            () -> add(path, "unknown variable $" + name));
  }
}
