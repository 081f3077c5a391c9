package dev.wharf.cli.client;

import dev.wharf.cli.client.ContextFile.Context;
import dev.wharf.cli.exit.Failure;
import dev.wharf.config.Addresses;
import dev.wharf.config.DurationFlags;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The connection flags every command that talks to the Admin API takes. Each setting comes from its
 * flag, else its environment variable, else the selected context, else the default.
 */
public final class ConnectionOptions {
  static final String DEFAULT_SERVER = "127.0.0.1:9700";

  @Option(
      names = "--server",
      paramLabel = "HOST:PORT",
      split = ",",
      description =
          "Admin API of a control-plane replica; give several (comma-separated) and "
              + "each is tried in turn while one is unreachable. Env WHARF_SERVER; default "
              + DEFAULT_SERVER
              + ".")
  private List<String> servers;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "Bearer token (visible to other users in the process list: prefer "
              + "--token-file or WHARF_TOKEN). Env WHARF_TOKEN.")
  private String token;

  @Option(names = "--token-file", paramLabel = "FILE", description = "Read the token from FILE.")
  private Path tokenFile;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description =
          "Speak TLS, trusting the CA certificates in FILE (PEM); plaintext without "
              + "it. Env WHARF_TLS_CA.")
  private Path tlsCa;

  @Option(
      names = "--context",
      paramLabel = "NAME",
      description =
          "Use this context of the contexts file (default: the file's "
              + "current-context); see wharfctl --help.")
  private String context;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationFlags.Positive.class,
      description =
          "Deadline of each call to the Admin API (default 10s); for rollout --wait, "
              + "how long to wait in all (default 30s).")
  private Duration timeout;

  /** The --timeout given, if any; each command knows its own default. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** Resolves every setting; a setting that cannot be used is a {@link Failure} (exit 1). */
  public Connection resolve(Environment env) {
    Path contextsPath = ContextFile.locate(env);
    Optional<ContextFile> file = ContextFile.read(contextsPath, env.home());
    if (context != null && file.isEmpty()) {
      throw Failure.invalidInput(
          "--context " + context + ": there is no contexts file (" + contextsPath + ")");
    }
    Optional<Context> ctx = file.flatMap(f -> f.select(Optional.ofNullable(context)));
    String ctxName = ctx.map(c -> "context '" + c.name() + "' in " + file.get().path()).orElse("");

    List<String> serverList;
    String serversFrom;
    Optional<String> envServers = env.variable("WHARF_SERVER");
    if (servers != null && !servers.isEmpty()) {
      serverList = servers.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
      serversFrom = "--server";
    } else if (envServers.isPresent()) {
      serverList = splitServers(envServers.get());
      serversFrom = "WHARF_SERVER";
    } else if (ctx.isPresent() && !ctx.get().servers().isEmpty()) {
      serverList = ctx.get().servers();
      serversFrom = ctxName;
    } else {
      serverList = List.of(DEFAULT_SERVER);
      serversFrom = "the default";
    }
    if (serverList.isEmpty()) {
      throw Failure.invalidInput(serversFrom + ": no server given");
    }
    for (String s : serverList) {
      try {
        Addresses.parseHostPort(s);
      } catch (IllegalArgumentException e) {
        throw Failure.invalidInput(serversFrom + ": " + e.getMessage());
      }
    }

    if (token != null && tokenFile != null) {
      throw Failure.invalidInput("give --token or --token-file, not both");
    }
    Optional<String> tokenValue;
    String tokenFrom;
    Optional<String> envToken = env.variable("WHARF_TOKEN");
    if (token != null) {
      tokenValue = Optional.of(token.strip());
      tokenFrom = "--token";
    } else if (tokenFile != null) {
      tokenFrom = "--token-file " + tokenFile;
      tokenValue = Optional.of(readToken(tokenFile, tokenFrom));
    } else if (envToken.isPresent()) {
      tokenValue = envToken;
      tokenFrom = "WHARF_TOKEN";
    } else if (ctx.isPresent() && ctx.get().tokenFile().isPresent()) {
      tokenFrom = ctxName + " (token-file " + ctx.get().tokenFile().get() + ")";
      tokenValue = Optional.of(readToken(ctx.get().tokenFile().get(), tokenFrom));
    } else {
      tokenValue = Optional.empty();
      tokenFrom = "none";
    }
    if (tokenValue.isPresent() && !isVisibleAscii(tokenValue.get())) {
      throw Failure.invalidInput(
          tokenFrom + ": the token must be visible ASCII characters " + "without spaces");
    }

    Optional<Path> ca =
        Optional.ofNullable(tlsCa)
            .or(() -> env.variable("WHARF_TLS_CA").map(Path::of))
            .or(() -> ctx.flatMap(Context::tlsCa));
    return new Connection(serverList, serversFrom, tokenValue, tokenFrom, ca);
  }

  static List<String> splitServers(String text) {
    return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static String readToken(Path file, String from) {
    String value;
    try {
      value = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      throw Failure.invalidInput(from + ": no such file");
    } catch (IOException e) {
      throw Failure.invalidInput(from + ": cannot read: " + e.getMessage());
    }
    if (value.isEmpty()) {
      throw Failure.invalidInput(from + ": the file is empty");
    }
    return value;
  }

  private static boolean isVisibleAscii(String s) {
    return !s.isEmpty() && s.chars().allMatch(c -> c > ' ' && c < 0x7f);
  }
}
