package dev.wharf.cli.nginx;

import dev.wharf.config.Template;
import dev.wharf.config.Variables;
import dev.wharf.config.Variables.Phase;
import java.util.Optional;

/**
 * Checks an nginx value before it becomes a Wharf template, as the validator will: every variable
 * must be one Wharf has, known at the point the template is rendered, and regex groups ({@code $1})
 * may only appear where a regex provides them. The answer is the reason a directive cannot be
 * translated, for the report.
 */
final class Templates {
  private Templates() {}

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
        Optional<Phase> phase = Variables.phaseOf(v.name());
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
