package dev.wharf.dataplane.compression;

/**
 * Reads a request's {@code Accept-Encoding} (RFC 9110 12.5.3): a list of codings, each with an
 * optional weight {@code q} from 0 to 1, where 0 means "not acceptable" and {@code *} stands for
 * every coding not listed. No header means the client asked for nothing, so nothing is encoded.
 */
public final class AcceptEncoding {
  private AcceptEncoding() {}

  /** gzip or deflate, whichever the client weighs higher (gzip on a tie); null for neither. */
  static ContentCoding preferred(String header) {
    double gzip = quality(header, ContentCoding.GZIP);
    double deflate = quality(header, ContentCoding.DEFLATE);
    if (gzip <= 0 && deflate <= 0) {
      return null;
    }
    return gzip >= deflate ? ContentCoding.GZIP : ContentCoding.DEFLATE;
  }

  /** Whether the client accepts {@code coding}: by name, or by {@code *}, with q above 0. */
  public static boolean accepts(String header, ContentCoding coding) {
    return quality(header, coding) > 0;
  }

  /** The weight the header gives {@code coding}; 0 when it is absent or refused. */
  static double quality(String header, ContentCoding coding) {
    if (header == null) {
      return 0;
    }
    double named = -1;
    double wildcard = -1;
    for (String element : header.split(",")) {
      int semicolon = element.indexOf(';');
      String name = (semicolon < 0 ? element : element.substring(0, semicolon)).strip();
      if (name.isEmpty()) {
        continue;
      }
      double q = semicolon < 0 ? 1 : weight(element.substring(semicolon + 1));
      if (coding.named(name)) {
        named = Math.max(named, q);
      } else if (name.equals("*")) {
        wildcard = Math.max(wildcard, q);
      }
    }
    if (named >= 0) {
      return named;
    }
    return Math.max(wildcard, 0);
  }

  /** The {@code q} parameter of one element; a weight that does not parse refuses the coding. */
  private static double weight(String parameters) {
    for (String parameter : parameters.split(";")) {
      String p = parameter.strip();
      if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
        try {
          double q = Double.parseDouble(p.substring(2));
          return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 1;
  }
}
