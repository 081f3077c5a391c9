package dev.wharf.config;

/**
 * RE2/J 1.8 on Java 17 loops forever when it folds the case of U+1C80..U+1C88 (Cyrillic letters
 * that Unicode 9 made extra lower-case forms of в, д, о, с, т, ъ, ѣ, ꙋ; found by the validator's
 * fuzz target): compiling {@code (?i)\x{1C80}} or {@code (?i)[\x{1000}-\x{2000}]} never returns.
 * This finds, in one linear pass, whether a regex names one of them: as a literal, as a {@code
 * \x{..}} escape, or inside a class range that covers one. Unicode classes ({@code \pL}) and
 * negated classes fold without trouble and are not counted.
 */
final class UnfoldableRunes {
  static final int FIRST = 0x1C80;
  static final int LAST = 0x1C88;

  private UnfoldableRunes() {}

  /** One element of a regex: a code point it names (or -1 for anything else) and where it ends. */
  private record Atom(int codePoint, int end, boolean plainChar) {}

  static boolean touches(String regex) {
    boolean inClass = false;
    int classStart = -1;
    int rangeFrom = -1; // the code point before an unescaped '-' in a class
    int previous = -1;
    int i = 0;
    while (i < regex.length()) {
      Atom atom = atom(regex, i);
      int cp = atom.codePoint();
      if (cp >= FIRST && cp <= LAST) {
        return true;
      }
      char c = regex.charAt(i);
      if (!inClass) {
        if (atom.plainChar() && c == '[') {
          inClass = true;
          classStart = atom.end();
          if (classStart < regex.length() && regex.charAt(classStart) == '^') {
            classStart++;
          }
        }
      } else if (atom.plainChar() && c == ']' && i > classStart) {
        inClass = false;
        rangeFrom = -1;
        previous = -1;
      } else if (atom.plainChar() && c == '-' && previous >= 0) {
        rangeFrom = previous;
      } else {
        if (rangeFrom >= 0 && cp >= 0 && rangeFrom <= LAST && cp >= FIRST) {
          return true;
        }
        rangeFrom = -1;
        previous = cp;
      }
      i = atom.end();
    }
    return false;
  }

  private static Atom atom(String regex, int i) {
    char c = regex.charAt(i);
    if (c != '\\' || i + 1 >= regex.length()) {
      int cp = regex.codePointAt(i);
      return new Atom(cp, i + Character.charCount(cp), true);
    }
    char e = regex.charAt(i + 1);
    if (e == 'x') {
      return hex(regex, i + 2);
    }
    if (e == 'p' || e == 'P') {
      int end = i + 2;
      if (end < regex.length() && regex.charAt(end) == '{') {
        int close = regex.indexOf('}', end);
        end = close < 0 ? regex.length() : close + 1;
      } else {
        end = Math.min(end + 1, regex.length());
      }
      return new Atom(-1, end, false);
    }
    // \d, \w, \s, \b... name classes or assertions; \. \- \] name themselves; octal stays < 256.
    int cp = Character.isLetterOrDigit(e) ? -1 : regex.codePointAt(i + 1);
    return new Atom(cp, i + 1 + Character.charCount(regex.codePointAt(i + 1)), false);
  }

  /** {@code \xHH} or {@code \x{H...}} starting at {@code i} (after the x). */
  private static Atom hex(String regex, int i) {
    if (i < regex.length() && regex.charAt(i) == '{') {
      int close = regex.indexOf('}', i);
      if (close < 0 || close - i > 9) {
        return new Atom(-1, Math.min(i + 1, regex.length()), false);
      }
      return new Atom(parse(regex.substring(i + 1, close)), close + 1, false);
    }
    int end = Math.min(i + 2, regex.length());
    return new Atom(parse(regex.substring(i, end)), end, false);
  }

  private static int parse(String hex) {
    try {
      return hex.isEmpty() ? -1 : Integer.parseInt(hex, 16);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
