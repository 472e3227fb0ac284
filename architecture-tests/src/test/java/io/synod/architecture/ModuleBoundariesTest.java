package io.synod.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The module boundaries of ARCHITECTURE.md as rules over the main classes of every module. The Maven poms
 * only bound what a module can see (their transitive closure: the launcher sees RocksDB through the server);
 * these rules say what each module may actually use. The pure modules' ban on I/O, threads, clocks and
 * unseeded randomness inside the JDK is the forbidden-API check's job (config/forbidden-pure.txt); these rules
 * keep every library but msgpack-core out of them.
 *
 * <p>Each module is a package tree {@code io.synod.<module>}; a failure names the class and the dependency
 * that broke the rule. When a boundary moves on purpose, change the rule here and ARCHITECTURE.md together.
 */
@AnalyzeClasses(packages = "io.synod", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleBoundariesTest {
    private static final String[] PURE_MODULES = {
        "io.synod.protocol..", "io.synod.clock..", "io.synod.core..", "io.synod.consensus..", "io.synod.registry.."
    };

    /** Every module with main code, so that a rule cannot pass because a module was not on the classpath. */
    private static final List<String> MODULES = List.of(
            "protocol",
            "clock",
            "core",
            "consensus",
            "registry",
            "simulation",
            "store",
            "search",
            "messaging",
            "server",
            "client",
            "web",
            "cli",
            "bench");

    @ArchTest
    static void every_module_is_checked(JavaClasses classes) {
        for (String module : MODULES) {
            assertThat(classes.that(resideInAPackage("io.synod." + module + "..")))
                    .as("main classes of module %s", module)
                    .isNotEmpty();
        }
    }

    @ArchTest
    static final ArchRule pure_modules_use_only_each_other_msgpack_and_the_jdk = classes()
            .that()
            .resideInAnyPackage(PURE_MODULES)
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(concat(PURE_MODULES, "org.msgpack..", "java.."))
            .because("protocol, clock, core, consensus and registry are deterministic state machines that the"
                    + " simulator runs as they are: time, I/O and randomness reach them only as inputs");

    /** Who uses whom, module by module: the arrows of ARCHITECTURE.md's code map, and no others. */
    @ArchTest
    static final ArchRule modules_use_only_the_modules_below_them = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("protocol")
            .definedBy("io.synod.protocol..")
            .layer("clock")
            .definedBy("io.synod.clock..")
            .layer("core")
            .definedBy("io.synod.core..")
            .layer("consensus")
            .definedBy("io.synod.consensus..")
            .layer("registry")
            .definedBy("io.synod.registry..")
            .layer("simulation")
            .definedBy("io.synod.simulation..")
            .layer("store")
            .definedBy("io.synod.store..")
            .layer("search")
            .definedBy("io.synod.search..")
            .layer("messaging")
            .definedBy("io.synod.messaging..")
            .layer("server")
            .definedBy("io.synod.server..")
            .layer("client")
            .definedBy("io.synod.client..")
            .layer("web")
            .definedBy("io.synod.web..")
            .layer("cli")
            .definedBy("io.synod.cli..")
            .layer("bench")
            .definedBy("io.synod.bench..")
            .whereLayer("protocol")
            .mayNotAccessAnyLayer()
            .whereLayer("clock")
            .mayNotAccessAnyLayer()
            .whereLayer("core")
            .mayOnlyAccessLayers("protocol")
            .whereLayer("consensus")
            .mayNotAccessAnyLayer()
            .whereLayer("registry")
            .mayNotAccessAnyLayer()
            .whereLayer("simulation")
            .mayOnlyAccessLayers("consensus")
            .whereLayer("store")
            .mayOnlyAccessLayers("core", "consensus")
            .whereLayer("search")
            .mayNotAccessAnyLayer()
            .whereLayer("messaging")
            .mayOnlyAccessLayers("protocol", "clock")
            .whereLayer("server")
            .mayOnlyAccessLayers("protocol", "clock", "core", "consensus", "registry", "store", "search", "messaging")
            .whereLayer("client")
            .mayOnlyAccessLayers("protocol", "clock", "messaging")
            .whereLayer("web")
            .mayOnlyAccessLayers("protocol", "clock", "messaging", "client")
            .whereLayer("web")
            .mayOnlyBeAccessedByLayers("cli")
            .whereLayer("cli")
            .mayOnlyAccessLayers("protocol", "registry", "simulation", "messaging", "server", "client", "bench", "web")
            .whereLayer("bench")
            .mayOnlyAccessLayers("protocol", "core", "consensus", "store", "messaging")
            .whereLayer("bench")
            .mayOnlyBeAccessedByLayers("cli")
            .because("a module uses only what its job needs; the poms' transitive closure would allow more");

    @ArchTest
    static final ArchRule only_messaging_server_and_client_know_zeromq = noClasses()
            .that()
            .resideOutsideOfPackages(
                    "io.synod.messaging..", "io.synod.server..", "io.synod.client..", "io.synod.bench.load..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.zeromq..", "zmq..")
            .because("ZeroMQ is the transport of the processes and their clients (the load tool is one); the"
                    + " launcher only starts them, the cores never see a socket");

    @ArchTest
    static final ArchRule only_server_web_and_the_admin_endpoint_serve_http = noClasses()
            .that()
            .resideOutsideOfPackages("io.synod.server..", "io.synod.web..", "io.synod.messaging.admin..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..", "com.sun.net.httpserver..")
            .because("every process's admin HTTP endpoint (/health, /status, /metrics) is the one in"
                    + " messaging.admin, the server's routes are the server's, the browser app's API is the web"
                    + " process's; tools reach them as HTTP clients");

    @ArchTest
    static final ArchRule only_store_knows_rocksdb = noClasses()
            .that()
            .resideOutsideOfPackage("io.synod.store..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.rocksdb..")
            .because("the storage interfaces belong to core and consensus; RocksDB is one implementation of them");

    @ArchTest
    static final ArchRule only_search_knows_lucene = noClasses()
            .that()
            .resideOutsideOfPackage("io.synod.search..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.apache.lucene..")
            .because("the search index is one adapter with its own documents and errors; the server sees only"
                    + " those, so the library can change without touching it");

    @ArchTest
    static final ArchRule the_simulator_is_run_only_by_the_launcher = noClasses()
            .that()
            .resideOutsideOfPackages("io.synod.simulation..", "io.synod.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.synod.simulation..")
            .because("the simulator is a test kit for the Paxos core; `./synod sim` runs it, no process uses it");

    @ArchTest
    static final ArchRule benchmarks_stay_in_bench = noClasses()
            .that()
            .resideOutsideOfPackage("io.synod.bench..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.synod.bench", "io.synod.bench.jmh_generated..", "org.openjdk.jmh..")
            .because("the JMH microbenchmarks have a jar of their own that no other module needs; the launcher"
                    + " uses only the bench module's load tool (io.synod.bench.load)");

    /**
     * The one cycle today: {@code messaging.zmtp} uses two helpers of the {@code messaging} root ({@code TcpEndpoint},
     * {@code Closeables}) while the broker and the proxy in that root use ZMTP. Moving the helpers into a package of
     * their own ends it; then delete this exception.
     */
    private static final DescribedPredicate<HasName> MESSAGING_HELPERS_USED_BY_ZMTP =
            nameMatching("io\\.synod\\.messaging\\.(TcpEndpoint|Closeables)");

    @ArchTest
    static final ArchRule packages_have_no_cycles = slices().matching("io.synod.(**)")
            .should()
            .beFreeOfCycles()
            .ignoreDependency(resideInAPackage("io.synod.messaging.zmtp.."), MESSAGING_HELPERS_USED_BY_ZMTP)
            .because("a package can be read, tested and moved without the packages that use it");

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
