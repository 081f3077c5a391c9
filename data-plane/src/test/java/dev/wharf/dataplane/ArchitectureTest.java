package dev.wharf.dataplane;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The data plane's packages form the DAG that docs/architecture.md draws: a kernel (node services,
 * transport, HTTP helpers, metrics), the exchange contract, features that depend only downwards,
 * routing that compiles a config into what the features run, and the server on top, where every
 * pipeline is declared. A change that adds an arrow going back up fails here.
 */
@AnalyzeClasses(
    packages = "dev.wharf.dataplane",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule packagesFormNoCycle =
      slices().matching("dev.wharf.dataplane.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule layersDependOnlyDownwards =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("kernel")
          .definedBy(
              "..dataplane.node..",
              "..dataplane.http..",
              "..dataplane.http2..",
              "..dataplane.metrics..",
              "..dataplane.tls..",
              "..dataplane.clientaddress..")
          .layer("exchange")
          .definedBy("..dataplane.exchange..")
          .layer("connections")
          .definedBy("..dataplane.drain..", "..dataplane.upstream..")
          .layer("features")
          .definedBy(
              "..dataplane.proxy..",
              "..dataplane.files..",
              "..dataplane.websocket..",
              "..dataplane.compression..",
              "..dataplane.health..",
              "..dataplane.accesslog..",
              "..dataplane.admin..",
              "..dataplane.ratelimit..",
              "..dataplane.access..")
          .layer("routing")
          .definedBy("..dataplane.routing..")
          .layer("server")
          .definedBy("..dataplane.server..")
          .layer("node")
          .definedBy("..dataplane.discovery..", "dev.wharf.dataplane")
          .whereLayer("node")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("server")
          .mayOnlyBeAccessedByLayers("node")
          .whereLayer("routing")
          .mayOnlyBeAccessedByLayers("server", "node")
          .whereLayer("features")
          .mayOnlyBeAccessedByLayers("features", "routing", "server", "node")
          .whereLayer("connections")
          .mayOnlyBeAccessedByLayers("connections", "features", "routing", "server", "node")
          .whereLayer("exchange")
          .mayOnlyBeAccessedByLayers("features", "server");
}
