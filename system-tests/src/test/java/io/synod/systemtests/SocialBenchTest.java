package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code synod bench}'s social workloads against clusters it starts: the {@code social} mix reports
 * every operation and its counts add up, with no error; the {@code celebrity} run on three servers
 * sets up its followers, has the author's three posts accepted, and finds the last one first in
 * every checked follower's feed and all three in its unread count and every follower in the author's counts. Counts only, never
 * speed.
 */
class SocialBenchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> OPERATIONS = List.of("post", "follow", "feed", "timeline", "notifications");

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void theSocialMixReportsEveryOperationAndItsCountsAddUp() throws Exception {
        try (Processes processes = new Processes("bench-social")) {
            Path results = processes.directory().resolve("social");
            BenchToolTest.Run run = BenchToolTest.bench(
                    processes,
                    "bench-social",
                    List.of(
                            "--servers",
                            "1",
                            "--workload",
                            "social",
                            "--clients",
                            "6",
                            "--duration",
                            "3s",
                            "--warmup",
                            "2s",
                            "--json",
                            "--results",
                            results.toString()));
            JsonNode line = run.lastLine();
            assertThat(line.path("workload").asText()).isEqualTo("social");
            assertThat(line.path("errors").asLong()).as(run.output()).isZero();
            assertThat(line.path("timeouts").asLong()).as(run.output()).isZero();
            assertThat(line.path("acked_writes").asLong()).isPositive();
            assertThat(line.path("acked_reads").asLong()).isPositive();
            assertThat(line.path("deliveries").asLong())
                    .as("posts delivered on the post topics")
                    .isPositive();
            assertThat(line.path("gaps").asLong() + line.path("duplicates").asLong())
                    .isZero();
            JsonNode operations = line.path("operations");
            long total = 0;
            for (String operation : OPERATIONS) {
                assertThat(operations.path(operation).path("acked").asLong())
                        .as(operation)
                        .isPositive();
            }
            for (JsonNode operation : operations) {
                total += operation.path("acked").asLong();
                assertThat(operation.path("p50_ms").asDouble())
                        .isLessThanOrEqualTo(operation.path("p99_ms").asDouble());
            }
            assertThat(total)
                    .isEqualTo(line.path("acked_writes").asLong()
                            + line.path("acked_reads").asLong());
            assertThat(run.stdout()).contains("feed", "timeline", "notifications");
            assertThat(results.resolve("result.json")).isNotEmptyFile();
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aCelebrityPostOnThreeServersReachesEveryCheckedFollower() throws Exception {
        try (Processes processes = new Processes("bench-celebrity")) {
            Path results = processes.directory().resolve("celebrity");
            BenchToolTest.Run run = BenchToolTest.bench(
                    processes,
                    "bench-celebrity",
                    List.of(
                            "--servers",
                            "3",
                            "--workload",
                            "celebrity",
                            "--followers",
                            "200",
                            "--clients",
                            "4",
                            "--duration",
                            "2s",
                            "--warmup",
                            "1s",
                            "--json",
                            "--results",
                            results.toString()));
            JsonNode line = run.lastLine();
            assertThat(line.path("workload").asText()).isEqualTo("celebrity");
            assertThat(line.path("consistent").asBoolean()).as(run.output()).isTrue();
            assertThat(line.path("author_follower_count").asLong()).isEqualTo(200);
            assertThat(line.path("author_unread").asLong())
                    .as("one follower notification each")
                    .isEqualTo(200);
            assertThat(line.path("post_accept_ms").asDouble()).isPositive();
            assertThat(line.path("posts")).hasSize(3);
            for (JsonNode post : line.path("posts")) {
                assertThat(post.path("accept_ms").asDouble()).isPositive();
                assertThat(post.path("index").asLong()).isPositive();
            }
            assertThat(line.path("followers_checked").asInt()).isEqualTo(20);
            assertThat(line.path("followers_seeing_post").asInt()).isEqualTo(20);
            assertThat(line.path("followers_counting_post").asInt()).isEqualTo(20);
            assertThat(line.path("before_acked").asLong())
                    .as("the background load ran")
                    .isPositive();
            assertThat(line.path("errors").asLong()).isZero();
            assertThat(line.path("timeouts").asLong()).isZero();
            assertThat(run.stderr()).contains("200 follower(s) set up");
            JsonNode result = JSON.readTree(results.resolve("result.json").toFile());
            assertThat(result.path("config").path("followers").asInt()).isEqualTo(200);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void badSocialOptionsAreRefusedBeforeAnythingStarts() throws Exception {
        try (Processes processes = new Processes("bench-social-options")) {
            BenchToolTest.Run mix = BenchToolTest.bench(
                    processes, "bench-bad-mix", List.of("--workload", "social", "--social-mix", "post=x"));
            assertThat(mix.status()).isEqualTo(2);
            assertThat(mix.output()).contains("'x' is not a whole number");
            BenchToolTest.Run followers = BenchToolTest.bench(
                    processes, "bench-bad-followers", List.of("--workload", "celebrity", "--followers", "0"));
            assertThat(followers.status()).isEqualTo(2);
            assertThat(followers.output()).contains("--followers must be between 1 and");
            BenchToolTest.Run post = BenchToolTest.bench(
                    processes, "bench-bad-post", List.of("--workload", "social", "--message-bytes", "2000"));
            assertThat(post.status()).isEqualTo(2);
            assertThat(post.output()).contains("--message-bytes (a post) must be between 1 and 1000");
            BenchToolTest.Run scaling =
                    BenchToolTest.bench(processes, "bench-bad-scaling", List.of("scaling", "--workload", "celebrity"));
            assertThat(scaling.status()).isEqualTo(2);
            assertThat(scaling.output()).contains("scaling does not run the celebrity workload");
            assertThat(scaling.descendantsLeft()).isEmpty();
        }
    }
}
