package dev.wharf.controlplane.discovery;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The discovery state (what is pushed, the fleet, the protocol's rules per node) knows nothing of
 * gRPC: only the transport ({@link DiscoveryService}, {@link NodeStream}, {@link PeerAddress})
 * does.
 */
@AnalyzeClasses(
    packages = "dev.wharf.controlplane.discovery",
    importOptions = ImportOption.DoNotIncludeTests.class)
class DiscoveryLayersTest {
  @ArchTest
  static final ArchRule theStateHolderDoesNotDependOnGrpc =
      noClasses()
          .that()
          .belongToAnyOf(
              DiscoveryState.class,
              NodeSession.class,
              NodeLink.class,
              PublishedSnapshot.class,
              DiscoveryCallbacks.class,
              DiscoveryMetrics.class)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.grpc..");
}
