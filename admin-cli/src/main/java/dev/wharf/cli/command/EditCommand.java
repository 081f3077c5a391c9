package dev.wharf.cli.command;

import dev.wharf.cli.client.AdminClient;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.Changes;
import dev.wharf.cli.output.Kinds;
import dev.wharf.proto.admin.v1.ConfigObject;
import dev.wharf.proto.admin.v1.GetObjectRequest;
import dev.wharf.proto.admin.v1.GetObjectResponse;
import dev.wharf.proto.admin.v1.ObjectKind;
import dev.wharf.proto.admin.v1.PutObjectRequest;
import dev.wharf.proto.admin.v1.WriteResponse;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code wharfctl edit KIND NAME}: the object in an editor, as {@code kubectl edit} does. Written
 * with PutObject based on the version read, so an edit never overwrites a change made meanwhile; a
 * document the server refuses comes back in the editor with the errors at the top.
 */
@Command(
    name = "edit",
    mixinStandardHelpOptions = true,
    exitCodeOnInvalidInput = ExitCode.INVALID_INPUT,
    description = {
      "Edit one listener, upstream or route in $EDITOR (else $VISUAL, else vi), as YAML. "
          + "Saving writes it, unless the config changed since it was read (exit 2: nothing "
          + "is written, the edit is kept in a file to start again from). A document that does "
          + "not validate is opened again with the errors at the top as # comments. An "
          + "unchanged or emptied file cancels."
    },
    footer = {
      "",
      "Examples:",
      "  wharfctl edit route api",
      "  EDITOR=nano wharfctl edit upstream app",
      "",
      "Exit codes: 0 written or cancelled, 1 no such object, an editor that failed or a "
          + "document left invalid, 2 changed meanwhile, 3 unreachable or not allowed."
    })
public final class EditCommand extends AdminCommand {
  @Parameters(
      index = "0",
      paramLabel = "KIND",
      completionCandidates = Kinds.Candidates.class,
      description = "listener, upstream or route.")
  private String kind;

  @Parameters(index = "1", paramLabel = "NAME")
  private String name;

  @Override
  int run(AdminClient client) {
    ObjectKind objectKind = Kinds.parse(kind);
    GetObjectRequest get = GetObjectRequest.newBuilder().setKind(objectKind).setName(name).build();
    GetObjectResponse read = client.call(s -> s.getObject(get));
    EditSession session =
        EditSession.open(
            read.getObject(), read.getVersion(), editor(), "wharfctl edit " + kind + " " + name);
    List<String> problems = List.of();
    while (true) {
      Optional<ConfigObject> edited = session.edit(problems);
      if (edited.isEmpty()) {
        out().println(session.cancelReason());
        session.delete();
        return ExitCode.OK;
      }
      PutObjectRequest put =
          PutObjectRequest.newBuilder()
              .setExpectedVersion(read.getVersion())
              .setObject(edited.get())
              .build();
      try {
        WriteResponse response = client.write(read.getVersion(), s -> s.putObject(put));
        session.delete();
        Changes.print(response.getChangesList(), out());
        out()
            .println(Changes.outcome(response.getVersion(), response.getChangesCount() > 0, false));
        return ExitCode.OK;
      } catch (Failure f) {
        if (f.exitCode() != ExitCode.INVALID_INPUT) {
          throw session.kept(f); // stale, unreachable, not allowed: no point in editing again
        }
        problems = f.lines();
      }
    }
  }

  /** {@code $EDITOR}, else {@code $VISUAL}, else {@code vi}; a command line, run by sh. */
  private String editor() {
    for (String variable : List.of("EDITOR", "VISUAL")) {
      String value = environment().variables().get(variable);
      if (value != null && !value.isBlank()) {
        return value;
      }
    }
    return "vi";
  }
}
