package dev.wharf.controlplane;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The control plane's packages depend on each other in one direction only: every package (the root
 * one included) is a slice, and no two slices may reach each other.
 */
@AnalyzeClasses(
    packages = "dev.wharf.controlplane",
    importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {
  @ArchTest
  static final ArchRule packagesFormNoCycle =
      slices().matching("dev.wharf.(**)").should().beFreeOfCycles();
}
