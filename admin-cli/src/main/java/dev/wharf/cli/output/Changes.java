package dev.wharf.cli.output;

import dev.wharf.proto.admin.v1.FieldChange;
import dev.wharf.proto.admin.v1.ObjectChange;
import java.io.PrintWriter;
import java.util.List;

/**
 * Prints what a write changed (or would change), one line per object or field:
 *
 * <pre>
 * + route api
 * ~ upstream app: endpoints[1].weight: 1 -> 3
 * ~ route ws: proxy.rewrite.regex: (unset) -> ^/ws/(.*)
 * - route old
 * </pre>
 *
 * A value of several lines (a whole sub-message) is shown below its field, old lines with {@code
 * -}, new ones with {@code +}.
 */
public final class Changes {
  private static final String UNSET = "(unset)";

  private Changes() {}

  public static void print(List<ObjectChange> changes, PrintWriter out) {
    for (ObjectChange c : changes) {
      String object = Kinds.name(c.getKind()) + " " + c.getName();
      switch (c.getAction()) {
        case ACTION_CREATE -> out.println("+ " + object);
        case ACTION_DELETE -> out.println("- " + object);
        case ACTION_UPDATE -> {
          if (c.getFieldsCount() == 0) {
            out.println("~ " + object);
          }
          for (FieldChange f : c.getFieldsList()) {
            field(object, f, out);
          }
        }
        default -> out.println("? " + object);
      }
    }
  }

  /** The last line of a write: {@code applied: version 8}, or why nothing was written. */
  public static String outcome(long version, boolean changed, boolean dryRun) {
    if (!changed) {
      return "no changes (version " + version + ")";
    }
    return dryRun
        ? "dry run: nothing written (version " + version + ")"
        : "applied: version " + version;
  }

  private static void field(String object, FieldChange f, PrintWriter out) {
    String path = f.getPath().isEmpty() ? "(object)" : f.getPath();
    String before = f.getOldValue().strip();
    String after = f.getNewValue().strip();
    if (!before.contains("\n") && !after.contains("\n")) {
      out.println("~ " + object + ": " + path + ": " + orUnset(before) + " -> " + orUnset(after));
      return;
    }
    out.println("~ " + object + ": " + path + ":");
    block("-", before, out);
    block("+", after, out);
  }

  private static void block(String sign, String value, PrintWriter out) {
    if (value.isEmpty()) {
      out.println("    " + sign + " " + UNSET);
      return;
    }
    for (String line : value.split("\n", -1)) {
      out.println("    " + sign + " " + line);
    }
  }

  private static String orUnset(String value) {
    return value.isEmpty() ? UNSET : value;
  }
}
