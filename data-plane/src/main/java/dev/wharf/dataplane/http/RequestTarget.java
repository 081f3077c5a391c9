package dev.wharf.dataplane.http;

/**
 * A request target split as nginx splits it: {@code $uri} (normalised path) and {@code $args} (the
 * query string as sent, without {@code ?}).
 */
public record RequestTarget(String path, String query) {

  /** Parses an origin-form target ({@code /path?query}); absolute-form keeps only its path. */
  public static RequestTarget parse(String uri) throws UriPaths.BadPathException {
    String target = uri;
    if (!target.startsWith("/")) {
      target = originFormOf(target);
    }
    int question = target.indexOf('?');
    String rawPath = question < 0 ? target : target.substring(0, question);
    int hash = rawPath.indexOf('#');
    if (hash >= 0) {
      rawPath = rawPath.substring(0, hash);
    }
    String query = question < 0 ? "" : target.substring(question + 1);
    return new RequestTarget(UriPaths.normalize(rawPath), query);
  }

  /** {@code $arg_NAME}: the first value of {@code name} in the query, not decoded, or "". */
  public String argument(String name) {
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equalsIgnoreCase(name)) {
        return eq < 0 ? "" : pair.substring(eq + 1);
      }
    }
    return "";
  }

  private static String originFormOf(String absolute) throws UriPaths.BadPathException {
    int scheme = absolute.indexOf("://");
    if (scheme < 0) {
      throw new UriPaths.BadPathException("the request target is not a path or an absolute URI");
    }
    int slash = absolute.indexOf('/', scheme + 3);
    return slash < 0 ? "/" : absolute.substring(slash);
  }
}
