package dev.wharf.dataplane;

import dev.wharf.dataplane.node.Transport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --transport}: the socket transport of the process, for the data plane's commands. */
public final class TransportOption {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = "--transport",
      paramLabel = "auto|epoll|io_uring|nio",
      description =
          "Socket transport: auto picks native epoll on Linux, else NIO; io_uring or epoll "
              + "fail the start where the kernel or the native library cannot run them "
              + "(default: auto).")
  void transport(String name) {
    try {
      Transport.choose(name);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }
}
