package dev.wharf.cli.nginx;

import dev.wharf.cli.nginx.Lexer.Token;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads an nginx config into its directives, with every {@code include} resolved (see {@link
 * Includes}) and its directives spliced in after it. Syntax errors stop the reading with {@code
 * file:line: reason}.
 *
 * <p>nginx itself cannot tell a missing {@code ;} from a directive that goes on over the next line;
 * it complains later about a strange argument. This parser does: a bare word that starts a new line
 * and is the name of a directive it knows ends the directive before it, and that is reported as the
 * missing {@code ;} it almost certainly is.
 */
public final class NginxParser {
  /**
   * Blocks nested deeper are refused: nginx's own contexts nest a handful deep (http, server,
   * location, if), and without a bound 20,000 {@code {} overflowed the parser's stack.
   */
  static final int MAX_NESTING = 100;

  private final Optional<Path> includeRoot;
  private final Predicate<String> knownDirective;
  private Includes includes;
  private final Deque<Path> reading = new ArrayDeque<>();

  /** Blocks open at the directive being read, across included files. */
  private int depth;

  NginxParser(Optional<Path> includeRoot, Predicate<String> knownDirective) {
    this.includeRoot = includeRoot;
    this.knownDirective = knownDirective;
  }

  /** A parser that knows the directives {@link Catalog} knows. */
  public static NginxParser create(Optional<Path> includeRoot) {
    return new NginxParser(includeRoot, Catalog::isKnown);
  }

  /**
   * The directives of {@code file}'s main context.
   *
   * @throws IOException when {@code file} itself cannot be read
   */
  public List<Directive> parse(Path file) throws IOException, NginxSyntaxException {
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    includes = new Includes(includeRoot, file);
    return read(file, text, null);
  }

  private List<Directive> read(Path file, String text, Origin includedFrom)
      throws NginxSyntaxException {
    reading.push(file.toAbsolutePath().normalize());
    try {
      return block(new Lexer(text, file), file, includedFrom, null);
    } finally {
      reading.pop();
    }
  }

  /** Reads directives until the {@code }} of {@code opener}, or the end when it is null. */
  private List<Directive> block(Lexer lexer, Path file, Origin includedFrom, Directive opener)
      throws NginxSyntaxException {
    List<Directive> out = new ArrayList<>();
    while (true) {
      Token t = lexer.next();
      switch (t.kind()) {
        case END -> {
          if (opener != null) {
            throw new NginxSyntaxException(
                file,
                opener.origin().line(),
                "'" + opener.text() + " {' is never closed (the file ends first)");
          }
          return out;
        }
        case CLOSE -> {
          if (opener == null) {
            throw new NginxSyntaxException(file, t.line(), "unexpected '}' (no block is open)");
          }
          return out;
        }
        case OPEN ->
            throw new NginxSyntaxException(
                file, t.line(), "unexpected '{' (a block needs a directive name before it)");
        case SEMICOLON -> throw new NginxSyntaxException(file, t.line(), "unexpected ';'");
        case WORD -> directive(t, lexer, file, includedFrom, out);
      }
    }
  }

  private void directive(
      Token nameToken, Lexer lexer, Path file, Origin includedFrom, List<Directive> out)
      throws NginxSyntaxException {
    Origin origin = new Origin(file, nameToken.line(), includedFrom);
    List<String> args = new ArrayList<>();
    int lastLine = nameToken.line();
    while (true) {
      Token t = lexer.next();
      switch (t.kind()) {
        case WORD -> {
          if (!t.quoted() && t.line() > lastLine && knownDirective.test(t.text())) {
            throw missingSemicolon(file, lastLine, nameToken.text(), args);
          }
          args.add(t.text());
          lastLine = t.line();
        }
        case SEMICOLON -> {
          Directive d = new Directive(nameToken.text(), args, false, List.of(), origin);
          out.add(d);
          if (d.name().equals("include")) {
            include(d, out);
          }
          return;
        }
        case OPEN -> {
          Directive opener = new Directive(nameToken.text(), args, true, List.of(), origin);
          List<Directive> children = nested(lexer, file, includedFrom, opener);
          out.add(new Directive(nameToken.text(), args, true, children, origin));
          return;
        }
        case CLOSE, END -> throw missingSemicolon(file, lastLine, nameToken.text(), args);
      }
    }
  }

  private List<Directive> nested(Lexer lexer, Path file, Origin includedFrom, Directive opener)
      throws NginxSyntaxException {
    if (depth == MAX_NESTING) {
      throw new NginxSyntaxException(
          file,
          opener.origin().line(),
          "'" + opener.text() + " {' nests blocks more than " + MAX_NESTING + " deep");
    }
    depth++;
    try {
      return block(lexer, file, includedFrom, opener);
    } finally {
      depth--;
    }
  }

  private void include(Directive include, List<Directive> out) throws NginxSyntaxException {
    Origin at = include.origin();
    if (include.args().size() != 1) {
      throw new NginxSyntaxException(
          at.file(),
          at.line(),
          "include takes one file name or pattern, not " + include.args().size());
    }
    if (Includes.isMimeTypes(include.arg(0))) {
      return;
    }
    for (Path path : includes.resolve(include.arg(0), at)) {
      Path key = path.toAbsolutePath().normalize();
      if (reading.contains(key)) {
        throw new NginxSyntaxException(
            at.file(),
            at.line(),
            "include '"
                + include.arg(0)
                + "' includes "
                + path
                + " again, which is already "
                + "being read (an include cycle)");
      }
      String text;
      try {
        text = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new NginxSyntaxException(
            at.file(),
            at.line(),
            "include '" + include.arg(0) + "': cannot read " + path + ": " + e.getMessage());
      }
      out.addAll(read(path, text, at));
    }
  }

  private static NginxSyntaxException missingSemicolon(
      Path file, int line, String name, List<String> args) {
    String text = new Directive(name, args, false, List.of(), new Origin(file, line, null)).text();
    return new NginxSyntaxException(file, line, "missing ';' after '" + text + "'");
  }
}
