package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log is written by its own thread, yet readers see every line logged before they ask, and nothing is lost. */
class InteractionLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void recentLinesSeeEveryLineLoggedBeforeTheCall(@TempDir Path dir) throws Exception {
        try (InteractionLog log = InteractionLog.open(dir.resolve("p.jsonl"), "p")) {
            for (int i = 0; i < 1_000; i++) {
                log.sent("publish", "peer", i, 1.5, Map.of("i", i));
                if (i % 100 == 99) {
                    List<String> recent = log.recentLines();
                    assertThat(JSON.readTree(recent.get(recent.size() - 1))
                                    .get("data")
                                    .get("i")
                                    .asInt())
                            .isEqualTo(i);
                }
            }
            assertThat(log.recentLines()).hasSize(InteractionLog.RECENT_LINES_MAX);
        }
    }

    @Test
    void closeWritesEveryQueuedLineFromEveryThreadToTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("logs").resolve("p.jsonl");
        InteractionLog log = InteractionLog.open(file, "p");
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 2_500; i++) {
                    log.received("publish", "t" + thread, i, 2.0, Map.of("t", thread, "i", i));
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        log.event("stopped", 1, 3.0, Map.of());
        log.close();
        log.close(); // idempotent
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(10_001);
        int[] next = new int[4];
        for (String line : lines.subList(0, 10_000)) {
            JsonNode node = JSON.readTree(line);
            assertThat(node.get("process").asText()).isEqualTo("p");
            assertThat(node.get("dir").asText()).isEqualTo("in");
            int t = node.get("data").get("t").asInt();
            assertThat(node.get("data").get("i").asInt())
                    .as("thread %d in order", t)
                    .isEqualTo(next[t]++);
        }
        assertThat(JSON.readTree(lines.get(10_000)).get("kind").asText()).isEqualTo("stopped");
        assertThat(log.droppedLines()).isZero();
    }

    @Test
    void linesReachTheFileWithoutAReaderOrAClose(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.jsonl");
        try (InteractionLog log = InteractionLog.open(file, "p")) {
            log.sent("publish", "peer", 1, 1.5, Map.of("i", 1));
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (Files.readAllLines(file).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5); // the writer wakes by itself: nobody asks it to write
            }
            assertThat(Files.readAllLines(file)).hasSize(1).first().asString().contains("\"i\":1");

            // with nothing queued the writer sleeps without a timeout (an idle process's writer does not wake)...
            Thread writer = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("interaction-log-p"))
                    .findFirst()
                    .orElseThrow();
            while (writer.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(writer.getState()).isEqualTo(Thread.State.WAITING);
            // ...and the next line wakes it
            log.sent("publish", "peer", 2, 1.6, Map.of("i", 2));
            while (Files.readAllLines(file).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(Files.readAllLines(file)).hasSize(2).last().asString().contains("\"i\":2");
        }
    }

    @Test
    void theFileHoldsTheLinesOfTheRingInBatchesLargerThanAChunk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.jsonl");
        InteractionLog log = InteractionLog.open(file, "p");
        List<String> expected = new ArrayList<>();
        String hostile = "\"\\\u0000\u001f\n\r\t\u2028\u00e9\ud83d\ude00/" + "x".repeat(300);
        for (int i = 0; i < 2 * InteractionLog.RECENT_LINES_MAX; i++) {
            Map<String, Object> data = Map.of("i", i, "text", hostile, "list", List.of(1.5, true, "s"));
            log.sent("publish", "peer\n" + i, i, 1.5 + i, data); // about 400 KB queued: several file chunks
            expected.add(JsonLineWriterTest.jacksonLine("p", "out", "publish", "peer\n" + i, i, 1.5 + i, data));
        }
        List<String> recent = log.recentLines();
        log.close();
        assertThat(Files.readAllLines(file, StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(recent).isEqualTo(expected.subList(InteractionLog.RECENT_LINES_MAX, expected.size()));
    }

    @Test
    void aLoneSurrogateBecomesAQuestionMarkInTheFileAndCostsNoOtherLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.jsonl");
        InteractionLog log = InteractionLog.open(file, "p");
        log.received("publish", "peer", 1, 1.0, Map.of("message", "a\ud800b"));
        log.received("publish", "peer", 2, 2.0, Map.of("message", "after"));
        assertThat(log.recentLines().get(0)).contains("\"message\":\"a\ud800b\""); // as Jackson wrote it
        log.close();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(2);
        assertThat(JSON.readTree(lines.get(0)).get("data").get("message").asText())
                .isEqualTo("a?b");
        assertThat(JSON.readTree(lines.get(1)).get("data").get("message").asText())
                .isEqualTo("after");
    }

    @Test
    void inMemoryLogNeedsNoThread() {
        InteractionLog log = InteractionLog.inMemory("m");
        log.event("started", 1, 1.0, Map.of("rank", 1));
        assertThat(log.recentLines()).hasSize(1).first().asString().contains("\"kind\":\"started\"");
        log.close();
    }
}
