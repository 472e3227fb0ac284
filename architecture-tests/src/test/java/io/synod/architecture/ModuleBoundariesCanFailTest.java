package io.synod.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * Each rule of {@link ModuleBoundariesTest} fails on a class written to break it (the {@code fixtures} packages
 * of this module's tests, which the real check does not import), so no rule passes because it matches nothing.
 */
class ModuleBoundariesCanFailTest {
    private static final JavaClasses FIXTURES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
            .importPackages("io.synod")
            .that(resideInAPackage("io.synod..fixtures.."));

    @Test
    void aPureModuleUsingALibraryFails() {
        assertBreaks(ModuleBoundariesTest.pure_modules_use_only_each_other_msgpack_and_the_jdk, "LogsThroughSlf4j");
    }

    @Test
    void aModuleUsingOneOutsideItsMapFails() {
        assertBreaks(ModuleBoundariesTest.modules_use_only_the_modules_below_them, "UsesTheServer");
    }

    @Test
    void theWebProcessUsingTheServerFails() {
        assertBreaks(ModuleBoundariesTest.modules_use_only_the_modules_below_them, "WebUsesTheServer");
    }

    @Test
    void theLauncherUsingZeroMqFails() {
        assertBreaks(ModuleBoundariesTest.only_messaging_server_and_client_know_zeromq, "OpensAZeroMqSocket");
    }

    @Test
    void anHttpServerOutsideTheServerFails() {
        assertBreaks(ModuleBoundariesTest.only_server_web_and_the_admin_endpoint_serve_http, "ServesHttp");
    }

    @Test
    void rocksDbOutsideTheStoreFails() {
        assertBreaks(ModuleBoundariesTest.only_store_knows_rocksdb, "OpensRocksDb");
    }

    @Test
    void aProcessUsingTheSimulatorFails() {
        assertBreaks(ModuleBoundariesTest.the_simulator_is_run_only_by_the_launcher, "RunsTheSimulator");
    }

    @Test
    void aBenchmarkOutsideBenchFails() {
        assertBreaks(ModuleBoundariesTest.benchmarks_stay_in_bench, "RunsABenchmark");
    }

    @Test
    void aPackageCycleFails() {
        assertBreaks(ModuleBoundariesTest.packages_have_no_cycles, "FirstOfACycle");
    }

    private static void assertBreaks(ArchRule rule, String fixtureSimpleName) {
        assertThatThrownBy(() -> rule.check(FIXTURES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("fixtures." + fixtureSimpleName);
    }
}
