package dev.wharf.cli.command;

import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Format;
import dev.wharf.cli.output.Kinds;
import dev.wharf.cli.output.ObjectDocuments;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigError;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.config.v1.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One object being edited: the file the editor opens (a document holding just that object, under a
 * {@code #} header saying the version it was read at), the editor runs, and what came back. Lines
 * starting with {@code #} are wharfctl's own and are dropped when the file is read back.
 */
final class EditSession {
  private final ConfigObject original;
  private final String editor;
  private final String again;
  private final Path file;
  private final String header;
  private final String originalBody;
  private String body;
  private String cancelReason = "";

  private EditSession(
      ConfigObject original, String editor, String again, Path file, String header) {
    this.original = original;
    this.editor = editor;
    this.again = again;
    this.file = file;
    this.header = header;
    this.originalBody = ObjectDocuments.of(List.of(original), Format.YAML);
    this.body = originalBody;
  }

  /** Writes the object to a new file only its owner can read. */
  static EditSession open(ConfigObject object, long version, String editor, String again) {
    String what = Kinds.name(Kinds.of(object)) + " " + name(object);
    String header =
        "# Editing "
            + what
            + " at version "
            + version
            + ". Save and quit to write it; nothing is written if the\n"
            + "# config changed since. Lines starting with '#' are ignored; an empty file, or\n"
            + "# one left unchanged, cancels the edit.\n";
    try {
      Path file =
          Files.createTempFile(
              "wharfctl-edit-",
              ".yaml",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      return new EditSession(object, editor, again, file, header);
    } catch (IOException e) {
      throw Failure.invalidInput("cannot create the file to edit: " + e.getMessage());
    }
  }

  /**
   * Opens the editor, with {@code problems} (lines) at the top when the last attempt was refused,
   * and reads the object back; empty when the edit is cancelled. A document that cannot be read as
   * one object of the same kind and name is opened again with the reasons.
   */
  Optional<ConfigObject> edit(List<String> problems) {
    List<String> reasons = problems;
    while (true) {
      String written = comments(reasons) + header + body;
      write(written);
      runEditor();
      String text = read();
      String edited = withoutComments(text);
      if (edited.isBlank()) {
        cancelReason = "edit cancelled: the file was emptied; nothing was written";
        return Optional.empty();
      }
      if (reasons.isEmpty() && edited.equals(withoutComments(originalBody))) {
        cancelReason = "edit cancelled: no changes; nothing was written";
        return Optional.empty();
      }
      if (!reasons.isEmpty() && text.equals(written)) {
        throw kept(Failure.of(ExitCode.INVALID_INPUT, "the edit was left invalid", reasons));
      }
      body = edited;
      List<String> errors = new ArrayList<>();
      Optional<ConfigObject> object = parse(text, errors);
      if (object.isPresent()) {
        return object;
      }
      reasons = errors;
    }
  }

  String cancelReason() {
    return cancelReason;
  }

  /** {@code failure}, saying where the edit is kept and how to start again. */
  Failure kept(Failure failure) {
    List<String> lines = new ArrayList<>(failure.lines());
    String first = lines.remove(0).replaceFirst("^error: ", "");
    lines.add("your edit is kept in " + file + "; run '" + again + "' to edit the current version");
    return Failure.of(failure.exitCode(), first, lines);
  }

  void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temp file left behind is no reason to fail a write that succeeded
    }
  }

  private Optional<ConfigObject> parse(String text, List<String> errors) {
    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(text, file.toString());
    parsed.errors().stream().map(ConfigError::toString).forEach(errors::add);
    if (!errors.isEmpty()) {
      return Optional.empty();
    }
    Config c = parsed.config();
    List<ConfigObject> objects = new ArrayList<>();
    c.getListenersList()
        .forEach(l -> objects.add(ConfigObject.newBuilder().setListener(l).build()));
    c.getUpstreamsList()
        .forEach(u -> objects.add(ConfigObject.newBuilder().setUpstream(u).build()));
    c.getRoutesList().forEach(r -> objects.add(ConfigObject.newBuilder().setRoute(r).build()));
    String what = Kinds.name(Kinds.of(original)) + " " + name(original);
    if (objects.size() != 1 || Kinds.of(objects.get(0)) != Kinds.of(original)) {
      errors.add("the file must hold just the " + what + " (edit one object at a time)");
    } else if (!name(objects.get(0)).equals(name(original))) {
      errors.add(
          "the name cannot be changed by edit (it is '"
              + name(original)
              + "'); create the new one with apply and delete the old one");
    }
    return errors.isEmpty() ? Optional.of(objects.get(0)) : Optional.empty();
  }

  private void runEditor() {
    ProcessBuilder pb =
        new ProcessBuilder("sh", "-c", editor + " \"$1\"", "sh", file.toString()).inheritIO();
    int status;
    try {
      status = pb.start().waitFor();
    } catch (IOException e) {
      throw kept(Failure.invalidInput("cannot run the editor (" + editor + "): " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw kept(Failure.invalidInput("interrupted while the editor ran"));
    }
    if (status != 0) {
      throw kept(
          Failure.invalidInput(
              "the editor ("
                  + editor
                  + ") exited with status "
                  + status
                  + "; nothing was written"));
    }
  }

  private void write(String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String read() {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw kept(Failure.invalidInput("cannot read the edited file: " + e.getMessage()));
    }
  }

  private static String comments(List<String> problems) {
    if (problems.isEmpty()) {
      return "";
    }
    return "# The edit was not written:\n"
        + problems.stream().map(p -> "# " + p + "\n").collect(Collectors.joining())
        + "#\n";
  }

  private static String withoutComments(String text) {
    return text.lines()
        .filter(l -> !l.stripLeading().startsWith("#"))
        .map(l -> l + "\n")
        .collect(Collectors.joining());
  }

  private static String name(ConfigObject o) {
    return switch (o.getKindCase()) {
      case LISTENER -> o.getListener().getName();
      case UPSTREAM -> o.getUpstream().getName();
      case ROUTE -> o.getRoute().getName();
      default -> "";
    };
  }
}
