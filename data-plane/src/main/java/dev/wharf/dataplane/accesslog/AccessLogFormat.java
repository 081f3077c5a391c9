package dev.wharf.dataplane.accesslog;

import dev.wharf.config.Template;
import dev.wharf.dataplane.http.TemplateRenderer;
import dev.wharf.proto.config.v1.AccessLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How one access log turns a finished request's variables into a line.
 *
 * <p>{@code text} lines are rendered from an nginx {@code log_format} with nginx's default escaping
 * ({@code escape=default}) of variable values; the format's own text is written as it is. An empty
 * value is logged as {@code -}, as nginx logs an unset variable: a {@link
 * TemplateRenderer.VariableSource} answers "" for both, so empty and unset cannot be told apart
 * here, and almost every variable nginx can leave empty (no referer, no upstream, no user) is in
 * fact unset there.
 *
 * <p>{@code json} lines are one object whose keys are the configured fields, in order, and whose
 * values are JSON strings; an unset value is {@code ""}.
 *
 * <p>Compiled once per config; {@link #render} is called on event loops for every request, so
 * everything that does not depend on the request is precomputed and a line costs one {@link
 * StringBuilder}. Instances are immutable and thread-safe.
 */
public final class AccessLogFormat {
  /** nginx's {@code combined}, plus the two timings operators most often add. */
  static final String DEFAULT_TEXT_FORMAT =
      "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
          + "\"$http_referer\" \"$http_user_agent\" $request_time $upstream_response_time";

  static final List<String> DEFAULT_JSON_FIELDS =
      List.of(
          "remote_addr",
          "time_iso8601",
          "request",
          "status",
          "body_bytes_sent",
          "request_time",
          "upstream_addr",
          "upstream_status",
          "upstream_response_time",
          "http_referer",
          "http_user_agent",
          "request_id");

  /** {@code literals[i]} is written before {@code names[i]}'s value; one more literal ends it. */
  private final String[] literals;

  private final String[] names;
  private final List<String> variables;
  private final boolean json;
  private final int sizeHint;

  private AccessLogFormat(List<String> literals, List<String> names, boolean json) {
    this.literals = literals.toArray(new String[0]);
    this.names = names.toArray(new String[0]);
    this.variables = List.copyOf(names);
    this.json = json;
    int fixed = literals.stream().mapToInt(String::length).sum();
    this.sizeHint = fixed + 24 * names.size();
  }

  /**
   * Compiles a validated access log config. Throws {@link IllegalArgumentException} for what the
   * validator rejects anyway (a malformed format, a regex group {@code $1}).
   */
  public static AccessLogFormat compile(AccessLog config) {
    return switch (config.getEncoding()) {
      case ENCODING_UNSPECIFIED, TEXT ->
          text(config.getFormat().isEmpty() ? DEFAULT_TEXT_FORMAT : config.getFormat());
      case JSON ->
          json(config.getFieldsCount() == 0 ? DEFAULT_JSON_FIELDS : config.getFieldsList());
      case UNRECOGNIZED ->
          throw new IllegalArgumentException(
              "access_log.encoding: unknown value " + config.getEncodingValue());
    };
  }

  private static AccessLogFormat text(String format) {
    List<String> literals = new ArrayList<>();
    List<String> names = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    for (Template.Part part : Template.parse(format).parts()) {
      if (part instanceof Template.Literal l) {
        literal.append(l.text());
      } else if (part instanceof Template.Variable v) {
        literals.add(literal.toString());
        literal.setLength(0);
        names.add(v.name());
      } else if (part instanceof Template.Group g) {
        throw new IllegalArgumentException(
            "access_log.format: $"
                + g.number()
                + " refers to a regex group, but there is no regex here");
      }
    }
    literals.add(literal.toString());
    return new AccessLogFormat(literals, names, false);
  }

  /** {@code fields} is not empty: an empty list means the defaults. */
  private static AccessLogFormat json(List<String> fields) {
    List<String> literals = new ArrayList<>();
    List<String> names = new ArrayList<>();
    StringBuilder literal = new StringBuilder("{");
    for (String field : fields) {
      if (names.size() > 0) {
        literal.append("\",");
      }
      literal.append('"');
      LogEscapes.appendJson(literal, field);
      literal.append("\":\"");
      literals.add(literal.toString());
      literal.setLength(0);
      names.add(field.toLowerCase(Locale.ROOT));
    }
    literals.add("\"}");
    return new AccessLogFormat(literals, names, true);
  }

  /** The names of the variables a line renders, in order (a name may repeat). */
  public List<String> variables() {
    return variables;
  }

  /** One log line, without the line break. A null value from {@code vars} counts as unset. */
  public String render(TemplateRenderer.VariableSource vars) {
    StringBuilder out = new StringBuilder(sizeHint);
    for (int i = 0; i < names.length; i++) {
      out.append(literals[i]);
      String value = vars.get(names[i]);
      if (json) {
        if (value != null) {
          LogEscapes.appendJson(out, value);
        }
      } else if (value == null || value.isEmpty()) {
        out.append('-');
      } else {
        LogEscapes.appendText(out, value);
      }
    }
    return out.append(literals[names.length]).toString();
  }
}
