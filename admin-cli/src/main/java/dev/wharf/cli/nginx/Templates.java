package dev.wharf.cli.nginx;

import dev.wharf.config.Template;
import dev.wharf.config.Variables;
import dev.wharf.config.Variables.Phase;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks an nginx value before it becomes a Wharf template, as the validator will: every variable
 * must be one Wharf has, known at the point the template is rendered, and regex groups ({@code $1})
 * may only appear where a regex provides them. The answer is the reason a directive cannot be
 * translated, for the report.
 */
final class Templates {
  /**
   * The variables of the maps the import running on this thread has translated so far (lower case,
   * with their phase): an import is one call on one thread, which clears them when it ends.
   */
  private static final ThreadLocal<Map<String, Phase>> MAPS = ThreadLocal.withInitial(HashMap::new);

  private Templates() {}

  /** Makes {@code $name}, a translated map's variable, known from now on in this import. */
  static void define(String name, Phase phase) {
    MAPS.get().put(name.toLowerCase(Locale.ROOT), phase);
  }

  /** Forgets the maps of the import that ends. */
  static void forget() {
    MAPS.remove();
  }

  /** The latest phase of the variables in {@code text} (REQUEST when it has none). */
  static Phase phaseOf(String text) {
    Phase latest = Phase.REQUEST;
    try {
      for (Template.Part part : Template.parse(text).parts()) {
        if (part instanceof Template.Variable v) {
          Phase p = variablePhase(v.name()).orElse(Phase.REQUEST);
          latest = p.compareTo(latest) > 0 ? p : latest;
        }
      }
    } catch (IllegalArgumentException e) {
      // checked by problem() first; an unparsable value has no variables to wait for
    }
    return latest;
  }

  private static Optional<Phase> variablePhase(String name) {
    return Variables.phaseOf(name)
        .or(() -> Optional.ofNullable(MAPS.get().get(name.toLowerCase(Locale.ROOT))));
  }

  /**
   * Why {@code text} cannot be a template rendered at {@code latest} with {@code groups} regex
   * groups ({@code -1}: no regex), or empty when it can.
   */
  static Optional<String> problem(String text, Phase latest, int groups) {
    Template template;
    try {
      template = Template.parse(text);
    } catch (IllegalArgumentException e) {
      return Optional.of("'" + text + "': " + e.getMessage());
    }
    for (Template.Part part : template.parts()) {
      if (part instanceof Template.Variable v) {
        Optional<Phase> phase = variablePhase(v.name());
        if (phase.isEmpty()) {
          return Optional.of("Wharf has no variable $" + v.name());
        }
        if (phase.get().compareTo(latest) > 0) {
          return Optional.of("$" + v.name() + " has no value yet where Wharf uses this value");
        }
      } else if (part instanceof Template.Group g && g.number() > groups) {
        return Optional.of(
            groups < 0
                ? "$" + g.number() + " refers to a regex group, and Wharf has no regex here"
                : "$" + g.number() + " refers to a regex group the regex does not have");
      }
    }
    return Optional.empty();
  }
}
