package dev.wharf.standalone;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Standalone's packages depend on each other in one direction only, as in every module. */
@AnalyzeClasses(
    packages = "dev.wharf.standalone",
    importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {
  @ArchTest
  static final ArchRule packagesFormNoCycle =
      slices().matching("dev.wharf.(**)").should().beFreeOfCycles();
}
