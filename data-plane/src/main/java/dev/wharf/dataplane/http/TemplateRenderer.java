package dev.wharf.dataplane.http;

import dev.wharf.config.Template;
import java.util.List;
import java.util.regex.MatchResult;

/** Renders a {@link Template} against one request's variables, as nginx expands a value. */
public final class TemplateRenderer {
  /** Values of variables by name (lower case, without {@code $}); unknown or unset is "". */
  @FunctionalInterface
  public interface VariableSource {
    String get(String name);
  }

  private TemplateRenderer() {}

  /** {@code groups} may be null when no regex matched; missing groups render as "". */
  public static String render(Template template, VariableSource variables, MatchResult groups) {
    List<Template.Part> parts = template.parts();
    if (parts.size() == 1) {
      // The usual header rule ("$host", "$remote_addr"): the value itself, no builder or copy.
      if (parts.get(0) instanceof Template.Literal l) {
        return l.text();
      }
      if (parts.get(0) instanceof Template.Variable v) {
        return variables.get(v.name());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < parts.size(); i++) {
      Template.Part part = parts.get(i);
      if (part instanceof Template.Literal l) {
        out.append(l.text());
      } else if (part instanceof Template.Variable v) {
        out.append(variables.get(v.name()));
      } else if (part instanceof Template.Group g) {
        if (groups != null
            && g.number() <= groups.groupCount()
            && groups.group(g.number()) != null) {
          out.append(groups.group(g.number()));
        }
      }
    }
    return out.toString();
  }
}
