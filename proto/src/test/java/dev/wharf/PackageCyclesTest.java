package dev.wharf;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The shared library's packages (config, common, launch and the generated messages) depend on each
 * other in one direction only.
 */
@AnalyzeClasses(packages = "dev.wharf", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageCyclesTest {
  @ArchTest
  static final ArchRule packagesFormNoCycle =
      slices().matching("dev.wharf.(**)").should().beFreeOfCycles();
}
