package dev.wharf.common;

/** What every Wharf program says about itself in {@code --version}. */
public final class BuildInfo {
  private BuildInfo() {}

  /** The version in the runnable jar's manifest, or {@code dev} when run from classes. */
  public static String version(Class<?> mainClass) {
    String v = mainClass.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
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
