package dev.wharf.common;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** What every Wharf program says about itself in {@code --version} and {@code wharf_build_info}. */
public final class BuildInfo {
  private static final String UNKNOWN = "unknown";

  private BuildInfo() {}

  /** The version in the runnable jar's manifest, or {@code dev} when run from classes. */
  public static String version(Class<?> mainClass) {
    String v = mainClass.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /**
   * The commit in the runnable jar's manifest ({@code Wharf-Commit}, set with {@code
   * -Dwharf.commit=...} when the jar is built), or {@code unknown} (run from classes, or built
   * without it).
   */
  public static String commit(Class<?> mainClass) {
    try {
      URL location = mainClass.getProtectionDomain().getCodeSource().getLocation();
      if (location == null || !location.getPath().endsWith(".jar")) {
        return UNKNOWN;
      }
      try (JarFile jar = new JarFile(Path.of(location.toURI()).toFile())) {
        Manifest manifest = jar.getManifest();
        String commit =
            manifest == null ? null : manifest.getMainAttributes().getValue("Wharf-Commit");
        return commit == null || commit.isBlank() ? UNKNOWN : commit.trim();
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return UNKNOWN;
    }
  }

  public static String runtime() {
    return "Java "
        + Runtime.version()
        + " ("
        + System.getProperty("java.vm.name")
        + "), "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.arch");
  }
}
