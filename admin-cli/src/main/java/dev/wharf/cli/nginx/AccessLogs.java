package dev.wharf.cli.nginx;

import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.AccessLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code log_format} and {@code access_log} as a listener's access log, in the TEXT encoding, whose
 * format has nginx's syntax. nginx's predefined {@code combined} format is written out, since
 * Wharf's default format adds two timings to it.
 */
final class AccessLogs {
  static final String COMBINED =
      "$remote_addr - $remote_user [$time_local] \"$request\" "
          + "$status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

  private final Ledger ledger;
  private final Map<String, Directive> formats = new HashMap<>();

  AccessLogs(Ledger ledger) {
    this.ledger = ledger;
  }

  void define(Directive logFormat) {
    if (formats.putIfAbsent(logFormat.arg(0), logFormat) != null) {
      ledger.notTranslated(
          logFormat,
          "log_format '" + logFormat.arg(0) + "' is defined " + "already, which nginx refuses");
    }
  }

  /**
   * The access log written for the {@code access_log} directives of one level (nginx writes each of
   * them; Wharf one), or empty for {@code off}; or why there is none.
   */
  Either<Optional<AccessLog>> translate(List<Directive> logs) {
    Directive first = logs.get(0);
    for (Directive more : logs.subList(1, logs.size())) {
      ledger.notTranslated(
          more,
          "Wharf writes one access log per listener; it writes the one "
              + "at line "
              + first.origin().line());
    }
    String path = first.arg(0);
    if (path.equals("off")) {
      ledger.translated(first);
      return Either.of(Optional.empty());
    }
    if (path.startsWith("syslog:") || path.contains("$")) {
      return Either.problem("Wharf writes its access log to a file or stdout");
    }
    String formatName =
        first.args().size() > 1 && !first.arg(1).contains("=") ? first.arg(1) : "combined";
    String format;
    if (formatName.equals("combined") && !formats.containsKey("combined")) {
      format = COMBINED;
    } else if (formats.containsKey(formatName)) {
      Directive logFormat = formats.get(formatName);
      format = format(logFormat);
      Optional<String> problem = Templates.problem(format, Phase.RESPONSE, -1);
      if (problem.isPresent()) {
        return Either.problem("log_format " + formatName + ": " + problem.get());
      }
      if (logFormat.arg(1).startsWith("escape=") && !logFormat.arg(1).equals("escape=default")) {
        ledger.check(logFormat, logFormat.arg(1) + " is not carried over");
      } else {
        ledger.translated(logFormat);
      }
    } else {
      return Either.problem("there is no log_format named '" + formatName + "'");
    }
    List<String> dropped = new ArrayList<>();
    for (String param : first.args()) {
      if (param.startsWith("if=") || param.startsWith("gzip")) {
        dropped.add(param);
      }
    }
    if (dropped.isEmpty()) {
      ledger.translated(first);
    } else {
      ledger.check(
          first,
          "without " + String.join(" ", dropped) + ": Wharf logs every " + "request, uncompressed");
    }
    return Either.of(
        Optional.of(
            AccessLog.newBuilder()
                .setPath(path)
                .setEncoding(AccessLog.Encoding.TEXT)
                .setFormat(format)
                .build()));
  }

  /** The format strings of a log_format, joined as nginx joins them. */
  private static String format(Directive logFormat) {
    List<String> parts = logFormat.args().subList(1, logFormat.args().size());
    if (!parts.isEmpty() && parts.get(0).startsWith("escape=")) {
      parts = parts.subList(1, parts.size());
    }
    return String.join("", parts);
  }
}
