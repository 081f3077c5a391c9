package dev.wharf.testkit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one test class through the JUnit Platform, configured as the build configures Surefire
 * (extension autodetection on), and exits 1 when anything failed after printing the failures. For
 * {@link LeakCheckTest}'s child JVMs.
 */
final class ChildLauncher {
  private ChildLauncher() {}

  public static void main(String[] args) throws ClassNotFoundException {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(Class.forName(args[0])))
            .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
            .build();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    LauncherFactory.create().execute(request, summary);
    TestExecutionSummary result = summary.getSummary();
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    result.printTo(out);
    result.printFailuresTo(out, 0);
    out.flush();
    System.exit(result.getTotalFailureCount() == 0 ? 0 : 1);
  }
}
