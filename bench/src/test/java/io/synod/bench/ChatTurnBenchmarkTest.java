package io.synod.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.Result;
import io.synod.protocol.Publication;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Keeps the turn benchmark honest without timing anything: every turn applies its posts at the next indexes, each a
 * new request (never a replay), spread over the users and channels; the state survives the syncs between turns; the
 * trial deletes its directory.
 */
class ChatTurnBenchmarkTest {
    @Test
    void everyTurnAppliesNewPostsAtTheNextIndexes() throws IOException {
        ChatTurnBenchmark benchmark = new ChatTurnBenchmark();
        benchmark.messageChars = 100;
        benchmark.setUp();
        Path directory = benchmark.directory();
        try {
            long setupIndex = benchmark.machine().appliedIndex();
            assertThat(setupIndex).isEqualTo(ChatTurnBenchmark.USERS + ChatTurnBenchmark.CHANNELS);
            Set<String> topics = new HashSet<>();
            int turns = ChatTurnBenchmark.TURNS_PER_SYNC + 2; // past one sync
            for (int t = 1; t <= turns; t++) {
                List<Result> results = benchmark.applyTurn();
                assertThat(results).hasSize(ChatTurnBenchmark.COMMANDS_PER_TURN);
                for (Result result : results) {
                    assertThat(result.isOk()).as("%s", result.errorText()).isTrue();
                    assertThat(result.replayed()).isFalse();
                    Publication publication = result.publications().get(0);
                    topics.add(publication.topic());
                }
                assertThat(benchmark.machine().appliedIndex())
                        .isEqualTo(setupIndex + (long) t * ChatTurnBenchmark.COMMANDS_PER_TURN);
            }
            assertThat(topics).hasSize(ChatTurnBenchmark.CHANNELS);
        } finally {
            benchmark.tearDown();
        }
        assertThat(directory).doesNotExist();
    }
}
