package io.keyferry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The package layout is the architecture (DESIGN.md section 5); these rules keep it so. */
@AnalyzeClasses(packages = "io.keyferry", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule engineKnowsNothingOfKubernetes = noClasses().that().resideInAPackage("io.keyferry.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("io.fabric8.kubernetes..", "io.javaoperatorsdk..")
            .because("the engine is a library that run, the worker and the tests call the same way");

    @ArchTest
    static final ArchRule apiIsAPlainModel = noClasses().that().resideInAPackage("io.keyferry.api..")
            .should().dependOnClassesThat().resideInAnyPackage("io.keyferry.engine..", "io.keyferry.cli..", "io.lettuce..")
            .because("the API model is generated into the CRD and must not pull the data path in");

    @ArchTest
    static final ArchRule cutoverIsPureDecisions = noClasses().that().resideInAPackage("io.keyferry.cutover..")
            .should().dependOnClassesThat().resideInAnyPackage("io.lettuce..", "io.fabric8.kubernetes.client..",
                    "io.javaoperatorsdk..", "io.keyferry.engine..", "io.keyferry.cli..")
            .because("the phase ladder decides; the reconciler acts");

    @ArchTest
    static final ArchRule engineDoesNotCallTheCli = noClasses().that().resideInAPackage("io.keyferry.engine..")
            .should().dependOnClassesThat().resideInAPackage("io.keyferry.cli..");

    @ArchTest
    static final ArchRule workersDoNotWriteStatus = noClasses().that().resideInAPackage("io.keyferry.worker..")
            .should().dependOnClassesThat().resideInAnyPackage("io.keyferry.reconciler..", "io.keyferry.cli..",
                    "io.javaoperatorsdk..")
            .because("workers publish reports; only the reconciler folds them into status");

    @ArchTest
    static final ArchRule onlyTheReconcilerUsesTheStatusTypes = noClasses().that().resideOutsideOfPackages(
                    "io.keyferry.reconciler..", "io.keyferry.api..", "io.keyferry.cli.kubectl..")
            .should().dependOnClassesThat().haveSimpleName("DataMigrationStatus")
            .because("only the reconciler writes status (the kubectl plugin reads it, see the next rule)");

    @ArchTest
    static final ArchRule thePluginOnlyReadsStatus = noClasses().that().resideInAPackage("io.keyferry.cli.kubectl..")
            .should().callMethodWhere(com.tngtech.archunit.core.domain.JavaCall.Predicates.target(
                    com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching(
                            "(update|patch|edit|replace|apply)Status")))
            .because("kubectl keyferry asks through spec and annotations; only the reconciler writes status");

    @ArchTest
    static final ArchRule deciderIsPure = noClasses().that().haveSimpleName("Decider").or().haveSimpleName("CutoverHandler")
            .or().haveSimpleName("WorkerStages").or().haveSimpleName("WorkerRuns").or().haveSimpleName("StatusConditions")
            .or().haveSimpleName("StatusEvents").or().haveSimpleName("StatusDraft").or().haveSimpleName("Snapshot")
            .or().haveSimpleName("PodDiagnosis")
            .should().dependOnClassesThat().resideInAnyPackage("io.fabric8.kubernetes.client..", "io.lettuce..",
                    "io.javaoperatorsdk..")
            .because("the reconciler's decisions are a pure function of what it observed");
}
