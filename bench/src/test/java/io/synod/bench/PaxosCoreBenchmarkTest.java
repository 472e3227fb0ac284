package io.synod.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keeps the benchmark honest without timing anything: one invocation must decide every proposed command. */
class PaxosCoreBenchmarkTest {
    @ParameterizedTest
    @CsvSource({"3, 1", "3, 256", "5, 256"})
    void oneInvocationDecidesEveryCommand(int replicas, int batchCommandsMax) {
        PaxosCoreBenchmark benchmark = new PaxosCoreBenchmark();
        benchmark.replicas = replicas;
        benchmark.batchCommandsMax = batchCommandsMax;
        benchmark.setUp();
        assertThat(benchmark.decideCommands()).isGreaterThanOrEqualTo(PaxosCoreBenchmark.COMMANDS_PER_INVOCATION);
        assertThat(benchmark.decideCommands()).isGreaterThanOrEqualTo(2L * PaxosCoreBenchmark.COMMANDS_PER_INVOCATION);
    }
}
