package dev.wharf.dataplane;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Issue 15: a regex that sees request data runs in linear time. The data plane compiles user
 * regexes only through proto's {@code LinearRegex} (RE2/J); {@code java.util.regex}, which
 * backtracks, is not used at all, except its {@code MatchResult} type that captures travel in.
 */
@AnalyzeClasses(
    packages = "dev.wharf.dataplane",
    importOptions = ImportOption.DoNotIncludeTests.class)
class RegexEngineTest {
  @ArchTest
  static final ArchRule noBacktrackingRegexes =
      noClasses()
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.util.regex.Pattern")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.util.regex.Matcher")
          .because(
              "java.util.regex backtracks: compile user regexes with dev.wharf.config.LinearRegex");

  @ArchTest
  static final ArchRule regexesAreCompiledOnlyByLinearRegex =
      noClasses()
          .should()
          .callMethod(com.google.re2j.Pattern.class, "compile", String.class)
          .orShould()
          .callMethod(com.google.re2j.Pattern.class, "compile", String.class, int.class)
          .because(
              "LinearRegex refuses, with a reason, what RE2 cannot run or would not fit in memory");
}
