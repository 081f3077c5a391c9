package dev.wharf.config;

import java.util.List;

/** Thrown when a config document cannot be used; carries every error found, not only the first. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigError> errors;

  public ConfigException(List<ConfigError> errors) {
    super(render(errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one error");
    }
    this.errors = List.copyOf(errors);
  }

  public List<ConfigError> errors() {
    return errors;
  }

  private static String render(List<ConfigError> errors) {
    StringBuilder out = new StringBuilder();
    out.append(ConfigError.count(errors.size())).append(" in config");
    for (ConfigError e : errors) {
      out.append("\n  ").append(e);
    }
    return out.toString();
  }
}
