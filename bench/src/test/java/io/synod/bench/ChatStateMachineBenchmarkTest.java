package io.synod.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.Result;
import io.synod.protocol.Publication;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keeps the state machine benchmark honest without timing anything: each invocation must apply its command at the
 * next index and publish it with the next sequence number, and the trial must clean up its RocksDB directory.
 */
class ChatStateMachineBenchmarkTest {
    @ParameterizedTest
    @CsvSource({"memory, publish", "memory, message", "rocksdb, publish", "rocksdb, message"})
    void everyInvocationAppliesAtTheNextIndex(String store, String operation) throws IOException {
        ChatStateMachineBenchmark benchmark = new ChatStateMachineBenchmark();
        benchmark.store = store;
        benchmark.operation = operation;
        benchmark.setUp();
        try {
            long setupIndex = benchmark.machine().appliedIndex();
            assertThat(setupIndex).isEqualTo(3);
            for (long seq = 1; seq <= 2; seq++) {
                Result result = benchmark.apply();
                assertThat(result.isOk()).as("%s", result.errorText()).isTrue();
                assertThat(result.replayed()).isFalse();
                assertThat(benchmark.machine().appliedIndex()).isEqualTo(setupIndex + seq);
                // a private message also notifies its recipient, on the recipient's notification topic
                assertThat(result.publications()).hasSize(operation.equals("publish") ? 1 : 2);
                Publication publication = result.publications().get(0);
                assertThat(publication.seq()).isEqualTo(seq);
                assertThat(publication.topic()).isEqualTo(operation.equals("publish") ? "general" : "bob");
            }
        } finally {
            benchmark.tearDown();
        }
        Path directory = benchmark.directory();
        if (store.equals("rocksdb")) {
            assertThat(directory).doesNotExist();
        } else {
            assertThat(directory).isNull();
        }
    }
}
