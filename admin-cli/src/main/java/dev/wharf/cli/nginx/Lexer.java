package dev.wharf.cli.nginx;

import java.nio.file.Path;

/**
 * Splits nginx config text into tokens as nginx's own reader does: words (bare, or in single or
 * double quotes), <code>{</code>, {@code ;} and <code>}</code>. A {@code #} at the start of a token
 * comments out the rest of the line; {@code ${name}} stays inside its word. Backslash escapes
 * follow nginx: {@code \"}, {@code \'} and {@code \\} stand for the character, {@code \n}, {@code
 * \r} and {@code \t} for the control character, and any other pair is kept as written (so a regex's
 * {@code \.} reaches the regex).
 */
final class Lexer {
  enum Kind {
    WORD,
    OPEN,
    SEMICOLON,
    CLOSE,
    END
  }

  /** One token and the line it starts on; {@code text} is the word, unquoted and unescaped. */
  record Token(Kind kind, String text, int line, boolean quoted) {}

  private final String text;
  private final Path file;
  private int at;
  private int line = 1;

  Lexer(String text, Path file) {
    this.text = text;
    this.file = file;
  }

  Token next() throws NginxSyntaxException {
    skipSpaceAndComments();
    if (at >= text.length()) {
      return new Token(Kind.END, "", line, false);
    }
    char c = text.charAt(at);
    switch (c) {
      case '{':
        at++;
        return new Token(Kind.OPEN, "{", line, false);
      case ';':
        at++;
        return new Token(Kind.SEMICOLON, ";", line, false);
      case '}':
        at++;
        return new Token(Kind.CLOSE, "}", line, false);
      case '"':
      case '\'':
        return quoted(c);
      default:
        return bare();
    }
  }

  private void skipSpaceAndComments() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c == '\n') {
        line++;
        at++;
      } else if (isSpace(c)) {
        at++;
      } else if (c == '#') {
        while (at < text.length() && text.charAt(at) != '\n') {
          at++;
        }
      } else {
        return;
      }
    }
  }

  private Token quoted(char quote) throws NginxSyntaxException {
    int startLine = line;
    StringBuilder word = new StringBuilder();
    at++;
    while (true) {
      if (at >= text.length()) {
        throw new NginxSyntaxException(
            file, startLine, "the " + quote + " string starting here is never closed");
      }
      char c = text.charAt(at);
      if (c == quote) {
        at++;
        break;
      }
      if (c == '\\' && at + 1 < text.length()) {
        escape(word);
        continue;
      }
      if (c == '\n') {
        line++;
      }
      word.append(c);
      at++;
    }
    if (at < text.length()) {
      char after = text.charAt(at);
      if (!isSpace(after) && after != ';' && after != '{' && after != ')') {
        throw new NginxSyntaxException(
            file,
            line,
            "unexpected '" + after + "' right after a quoted string (a space is missing?)");
      }
    }
    return new Token(Kind.WORD, word.toString(), startLine, true);
  }

  private Token bare() {
    int startLine = line;
    StringBuilder word = new StringBuilder();
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c == '\\' && at + 1 < text.length()) {
        escape(word);
        continue;
      }
      boolean variableBrace =
          c == '{' && word.length() > 0 && word.charAt(word.length() - 1) == '$';
      if (isSpace(c) || c == ';' || (c == '{' && !variableBrace)) {
        break;
      }
      word.append(c);
      at++;
    }
    return new Token(Kind.WORD, word.toString(), startLine, false);
  }

  /**
   * nginx's separators: space, tab, CR and LF only. A vertical tab, a form feed or a Unicode space
   * (U+00A0, U+2028...) is part of a word for nginx ({@code return 200\u00a0x;} is the code {@code
   * "200\u00a0x"} there), so it must be here too, or the import would read two words where nginx
   * reads one.
   */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  /** Reads the backslash at {@code at} and the character after it. */
  private void escape(StringBuilder word) {
    char next = text.charAt(at + 1);
    switch (next) {
      case '"', '\'', '\\' -> word.append(next);
      case 'n' -> word.append('\n');
      case 'r' -> word.append('\r');
      case 't' -> word.append('\t');
      default -> {
        word.append('\\').append(next);
        if (next == '\n') {
          line++;
        }
      }
    }
    at += 2;
  }
}
