package dev.wharf.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * wharfctl's packages keep the layering their package-info describes: WharfCtl on top, then the
 * commands, the Admin API client, the output, the exit codes. Only main classes are checked; the
 * tests' harness builds WharfCtl from wherever it likes.
 */
@AnalyzeClasses(packages = "dev.wharf.cli", importOptions = ImportOption.DoNotIncludeTests.class)
class WharfCtlLayersTest {
  @ArchTest
  static final ArchRule packagesUnderWharfCtlFormNoCycle =
      slices().matching("dev.wharf.cli.(**)").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule noClassOutsideTheRootPackageDependsOnWharfCtl =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.wharf.cli")
          .should()
          .dependOnClassesThat()
          .belongToAnyOf(WharfCtl.class);

  @ArchTest
  static final ArchRule eachPackageUsesOnlyThePackagesBelowIt =
      layeredArchitecture()
          .consideringOnlyDependenciesInLayers()
          .layer("wharfctl")
          .definedBy("dev.wharf.cli")
          .layer("command")
          .definedBy("dev.wharf.cli.command..")
          .layer("nginx")
          .definedBy("dev.wharf.cli.nginx..")
          .layer("client")
          .definedBy("dev.wharf.cli.client..")
          .layer("output")
          .definedBy("dev.wharf.cli.output..")
          .layer("exit")
          .definedBy("dev.wharf.cli.exit..")
          .whereLayer("wharfctl")
          .mayNotBeAccessedByAnyLayer()
          .whereLayer("command")
          .mayOnlyBeAccessedByLayers("wharfctl")
          .whereLayer("nginx")
          .mayOnlyBeAccessedByLayers("command")
          .whereLayer("client")
          .mayOnlyBeAccessedByLayers("wharfctl", "command")
          .whereLayer("output")
          .mayOnlyBeAccessedByLayers("wharfctl", "command", "client")
          .whereLayer("exit")
          .mayOnlyBeAccessedByLayers("wharfctl", "command", "client", "output");
}
