package dev.wharf.systemtest.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read as the builder reads it: comments dropped, continued lines joined, one
 * instruction per entry, grouped by stage. Enough for checks on what the file says; the builder
 * itself is not needed.
 */
record Dockerfile(Map<String, Stage> stages) {
  record Instruction(String keyword, String args, int line) {}

  /** One stage: its name, what it is built {@code FROM} (an image or an earlier stage). */
  record Stage(String name, String from, List<Instruction> instructions) {
    List<Instruction> all(String keyword) {
      return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    Instruction last(String keyword) {
      List<Instruction> found = all(keyword);
      return found.isEmpty() ? null : found.get(found.size() - 1);
    }
  }

  private static final Pattern FROM =
      Pattern.compile("(?i)(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?");

  static Dockerfile parse(Path file) {
    Map<String, Stage> stages = new LinkedHashMap<>();
    Stage current = null;
    StringBuilder pending = new StringBuilder();
    int start = 0;
    String[] lines = Deploy.read(file).split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
        continue;
      }
      if (pending.isEmpty()) {
        start = i + 1;
      }
      boolean continued = line.endsWith("\\");
      pending.append(continued ? line.substring(0, line.length() - 1) : line).append(' ');
      if (continued) {
        continue;
      }
      String text = pending.toString().strip();
      pending.setLength(0);
      int space = text.indexOf(' ');
      String keyword = (space < 0 ? text : text.substring(0, space)).toUpperCase();
      String args = space < 0 ? "" : text.substring(space + 1).strip();
      if (keyword.equals("FROM")) {
        Matcher m = FROM.matcher(args);
        if (!m.matches()) {
          throw new AssertionError(file + ":" + start + ": cannot read FROM " + args);
        }
        String name = m.group(2) != null ? m.group(2) : "stage-" + stages.size();
        current = new Stage(name, m.group(1), new ArrayList<>());
        stages.put(name, current);
      } else if (current == null) {
        if (!keyword.equals("ARG")) {
          throw new AssertionError(file + ":" + start + ": " + keyword + " before any FROM");
        }
      } else {
        current.instructions().add(new Instruction(keyword, args, start));
      }
    }
    return new Dockerfile(stages);
  }

  /** The stage and the stages it is built from, nearest first. */
  List<Stage> lineage(String name) {
    List<Stage> chain = new ArrayList<>();
    Stage s = stages.get(name);
    while (s != null) {
      chain.add(s);
      s = stages.get(s.from());
    }
    return chain;
  }

  /** The last {@code keyword} instruction in effect for a stage, inherited ones included. */
  Instruction effective(String stage, String keyword) {
    for (Stage s : lineage(stage)) {
      Instruction found = s.last(keyword);
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
