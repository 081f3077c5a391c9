package dev.wharf.cli.output;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.wharf.cli.exit.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code -o jsonpath=TEMPLATE}: the subset of kubectl's JSONPath templates that covers what scripts
 * use, evaluated over a document as {@code -o json} prints it. Text outside braces is printed as it
 * is; inside braces:
 *
 * <ul>
 *   <li>{@code {.a.b}}: a field of the current object ({@code $} is the whole document, {@code .}
 *       the current object);
 *   <li>{@code [N]} the Nth element of a list (from 0; negative counts from the end), {@code [*]}
 *       or {@code .*} every element or value;
 *   <li>{@code {range EXPR}...{end}}: the text between, once for each value of EXPR, with that
 *       value as the current object;
 *   <li>{@code {"text"}}: literal text, where {@code \n} and {@code \t} are a newline and a tab.
 * </ul>
 *
 * A name may also be written {@code ['name']}. Several values of one expression are separated by a
 * space; an object or a list is printed as compact JSON. A field that is not there prints nothing
 * (unset fields are not in the document), as kubectl get does. Filters ({@code [?()]}), slices and
 * recursive descent ({@code ..}) are not supported and are refused as such. Immutable; parsing is
 * done once, by {@link #parse}.
 */
public final class JsonPath {
  private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();

  /**
   * How deep {@code {range}}s may nest: far more than any table needs, and a bound on the parser's
   * and the printer's recursion, so that a pasted or generated template cannot overflow the stack.
   */
  static final int MAX_RANGE_DEPTH = 16;

  /** One piece of a template. */
  private sealed interface Part permits Text, Expression, Range {}

  private record Text(String text) implements Part {}

  /** A path: steps from the root ($) or from the current object. */
  private record Expression(boolean fromRoot, List<Step> steps) implements Part {}

  private record Range(Expression over, List<Part> body) implements Part {}

  /** A field name, an index, or every element ({@code index == null && field == null}). */
  private record Step(String field, Integer index) {}

  private final String template;
  private final List<Part> parts;

  private JsonPath(String template, List<Part> parts) {
    this.template = template;
    this.parts = List.copyOf(parts);
  }

  /** Reads a template; a malformed one is a Failure (exit 1) saying what and where. */
  public static JsonPath parse(String template) {
    return new JsonPath(template, new JsonPathParser(template).parse());
  }

  /** The template applied to {@code document} (maps, lists and scalars). */
  public String apply(Object document) {
    StringBuilder out = new StringBuilder();
    write(parts, document, document, out);
    return out.toString();
  }

  @Override
  public String toString() {
    return template;
  }

  private static void write(List<Part> parts, Object root, Object current, StringBuilder out) {
    for (Part part : parts) {
      if (part instanceof Text t) {
        out.append(t.text());
      } else if (part instanceof Expression e) {
        List<String> values = new ArrayList<>();
        for (Object v : evaluate(e, root, current)) {
          values.add(text(v));
        }
        out.append(String.join(" ", values));
      } else if (part instanceof Range r) {
        for (Object v : evaluate(r.over(), root, current)) {
          write(r.body(), root, v, out);
        }
      }
    }
  }

  private static List<Object> evaluate(Expression e, Object root, Object current) {
    List<Object> values = new ArrayList<>();
    values.add(e.fromRoot() ? root : current);
    for (Step step : e.steps()) {
      List<Object> next = new ArrayList<>();
      for (Object v : values) {
        step(step, v, next);
      }
      values = next;
    }
    return values;
  }

  private static void step(Step step, Object value, List<Object> into) {
    if (step.field() != null) {
      if (value instanceof Map<?, ?> m && m.containsKey(step.field())) {
        into.add(m.get(step.field()));
      }
    } else if (step.index() != null) {
      if (value instanceof List<?> l) {
        int i = step.index() < 0 ? l.size() + step.index() : step.index();
        if (i >= 0 && i < l.size()) {
          into.add(l.get(i));
        }
      }
    } else if (value instanceof List<?> l) {
      into.addAll(l);
    } else if (value instanceof Map<?, ?> m) {
      into.addAll(m.values());
    }
  }

  private static String text(Object v) {
    if (v instanceof Map<?, ?> || v instanceof List<?>) {
      return JSON.toJson(v);
    }
    return String.valueOf(v);
  }

  /** Reads a template into parts; one instance per template. */
  private static final class JsonPathParser {
    private final String s;
    private int pos;

    JsonPathParser(String s) {
      this.s = s;
    }

    List<Part> parse() {
      List<Part> parts = new ArrayList<>();
      if (parseParts(parts, 0)) {
        throw error("{end} without {range}", pos - "{end}".length());
      }
      return parts;
    }

    /** Reads parts until the end of the template (false) or an {end} (true). */
    private boolean parseParts(List<Part> parts, int depth) {
      StringBuilder text = new StringBuilder();
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c != '{') {
          text.append(c);
          pos++;
          continue;
        }
        if (text.length() > 0) {
          parts.add(new Text(text.toString()));
          text.setLength(0);
        }
        int open = pos;
        int close = closingBrace(open);
        String inner = s.substring(open + 1, close).strip();
        pos = close + 1;
        if (inner.equals("end")) {
          return true;
        }
        if (inner.startsWith("range ") || inner.equals("range")) {
          if (depth == MAX_RANGE_DEPTH) {
            throw error("{range} nested more than " + MAX_RANGE_DEPTH + " deep", open);
          }
          Expression over = expression(inner.substring("range".length()).strip(), open);
          List<Part> body = new ArrayList<>();
          if (!parseParts(body, depth + 1)) {
            throw error("{range} without {end}", open);
          }
          parts.add(new Range(over, body));
        } else if (inner.startsWith("\"")) {
          parts.add(new Text(literal(inner, open)));
        } else {
          parts.add(expression(inner, open));
        }
      }
      if (text.length() > 0) {
        parts.add(new Text(text.toString()));
      }
      return false;
    }

    /** The brace that closes the one at {@code open}, skipping quoted text. */
    private int closingBrace(int open) {
      boolean quoted = false;
      for (int i = open + 1; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"') {
          quoted = !quoted;
        } else if (c == '\\' && quoted) {
          i++;
        } else if (c == '}' && !quoted) {
          return i;
        } else if (c == '{' && !quoted) {
          throw error("'{' inside an expression", i);
        }
      }
      throw error("unclosed '{'", open);
    }

    private String literal(String inner, int at) {
      if (inner.length() < 2 || !inner.endsWith("\"")) {
        throw error("unclosed quote", at);
      }
      return inner
          .substring(1, inner.length() - 1)
          .replace("\\n", "\n")
          .replace("\\t", "\t")
          .replace("\\\"", "\"");
    }

    /** {@code $.a[0].b[*]}, {@code .a.*}, {@code .} */
    private Expression expression(String text, int at) {
      if (text.isEmpty()) {
        throw error("an empty expression", at);
      }
      boolean fromRoot = text.startsWith("$");
      int i = fromRoot ? 1 : 0;
      if (!fromRoot && text.charAt(0) != '.') {
        throw error("'" + text + "' (expected: a path starting with '.' or '$')", at);
      }
      List<Step> steps = new ArrayList<>();
      while (i < text.length()) {
        char c = text.charAt(i);
        if (c == '.') {
          i++;
          if (i < text.length() && text.charAt(i) == '.') {
            throw error("recursive descent '..' is not supported", at);
          }
          int start = i;
          while (i < text.length() && isNameChar(text.charAt(i))) {
            i++;
          }
          if (i < text.length() && text.charAt(i) == '*' && i == start) {
            steps.add(new Step(null, null));
            i++;
          } else if (i > start) {
            steps.add(new Step(text.substring(start, i), null));
          } else if (i < text.length() && text.charAt(i) != '[') {
            throw error("unexpected '" + text.charAt(i) + "' in '" + text + "'", at);
          }
        } else if (c == '[') {
          int end = text.indexOf(']', i);
          if (end < 0) {
            throw error("unclosed '[' in '" + text + "'", at);
          }
          steps.add(index(text.substring(i + 1, end).strip(), at));
          i = end + 1;
        } else {
          throw error("unexpected '" + c + "' in '" + text + "'", at);
        }
      }
      return new Expression(fromRoot, steps);
    }

    private Step index(String inside, int at) {
      if (inside.equals("*")) {
        return new Step(null, null);
      }
      if (inside.startsWith("'") && inside.endsWith("'") && inside.length() >= 2) {
        return new Step(inside.substring(1, inside.length() - 1), null);
      }
      if (inside.startsWith("?")) {
        throw error("filters [?(...)] are not supported", at);
      }
      if (inside.contains(":")) {
        throw error("slices [a:b] are not supported", at);
      }
      try {
        return new Step(null, Integer.parseInt(inside));
      } catch (NumberFormatException e) {
        throw error("'[" + inside + "]' (expected: [N], [*] or ['name'])", at);
      }
    }

    private static boolean isNameChar(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }

    Failure error(String what, int at) {
      return Failure.invalidInput(
          "-o jsonpath: " + what + " at character " + (at + 1) + " of '" + s + "'");
    }
  }
}
