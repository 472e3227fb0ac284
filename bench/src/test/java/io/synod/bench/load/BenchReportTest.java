package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static BenchConfig config(Workload workload, int clients) {
        return new BenchConfig(
                "tcp://127.0.0.1:5555",
                "tcp://127.0.0.1:5558",
                workload,
                clients,
                2,
                8,
                10,
                1,
                0.5,
                100,
                Duration.ofSeconds(2),
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                Math.min(4, clients),
                3,
                "abc123");
    }

    static BenchResult result(Workload workload, int clients, double scale) {
        LatencySummary writes = new LatencySummary(2_000, 4 * scale, 20 * scale, 45 * scale, 60 * scale);
        BenchResult.Summary summary = new BenchResult.Summary(
                10.0, 2_000, 0, 3, 1, 0, 8_000, writes, LatencySummary.EMPTY, writes, 8, 0, 0, 0);
        List<BenchResult.Second> series = List.of(
                new BenchResult.Second(1.0, 1.0, 190, 0, 760, 1, 0, writes, LatencySummary.EMPTY),
                new BenchResult.Second(2.0, 1.0, 210, 0, 840, 2, 1, writes, LatencySummary.EMPTY),
                new BenchResult.Second(2.5, 0.5, 100, 0, 400, 0, 0, writes, LatencySummary.EMPTY));
        return new BenchResult(config(workload, clients), summary, series, Map.of("publish: boom", 3L));
    }

    @Test
    void theJsonLineIsOneObjectWithTheHeadlineFields() throws Exception {
        String line = BenchReport.jsonLine(result(Workload.PUBLISH, 64, 1));

        assertThat(line).doesNotContain("\n").startsWith("{").endsWith("}");
        JsonNode json = JSON.readTree(line);
        assertThat(json.path("acked_per_s").asDouble()).isEqualTo(200.0);
        assertThat(json.path("deliveries_per_s").asDouble()).isEqualTo(800.0);
        assertThat(json.path("p50_ms").asDouble()).isEqualTo(4.0);
        assertThat(json.path("p99_ms").asDouble()).isEqualTo(20.0);
        assertThat(json.path("p999_ms").asDouble()).isEqualTo(45.0);
        assertThat(json.path("clients").asInt()).isEqualTo(64);
        assertThat(json.path("servers").asInt()).isEqualTo(3);
        assertThat(json.path("workload").asText()).isEqualTo("publish");
        assertThat(json.path("duration_s").asDouble()).isEqualTo(10.0);
        assertThat(json.path("errors").asLong()).isEqualTo(3);
        assertThat(json.path("timeouts").asLong()).isEqualTo(1);
        assertThat(json.has("gaps") && json.has("duplicates")).isTrue();
    }

    @Test
    void perSecondRatesUseEachIntervalsOwnLength() {
        BenchResult.Second half = result(Workload.PUBLISH, 4, 1).series().get(2);
        assertThat(half.ackedPerSecond()).isEqualTo(200.0);
        assertThat(half.deliveriesPerSecond()).isEqualTo(800.0);
    }

    @Test
    void writesResultJsonAndTwoWellFormedPlots(@TempDir Path directory) throws Exception {
        BenchResult result = result(Workload.FANOUT, 4, 1);
        BenchReport.write(result, directory.resolve("out"));

        JsonNode json = JSON.readTree(
                directory.resolve("out").resolve(BenchReport.RESULT_FILE).toFile());
        assertThat(json.path("config").path("workload").asText()).isEqualTo("fanout");
        assertThat(json.path("config").path("fanout_subscribers").asInt()).isEqualTo(10);
        assertThat(json.path("summary").path("acked_per_s").asDouble()).isEqualTo(200.0);
        assertThat(json.path("series")).hasSize(3);
        assertThat(json.path("series").get(1).path("errors").asLong()).isEqualTo(2);
        assertThat(json.path("error_texts").path("publish: boom").asLong()).isEqualTo(3);
        for (String plot : List.of(BenchReport.LATENCY_PLOT, BenchReport.THROUGHPUT_PLOT)) {
            String svg = Files.readString(directory.resolve("out").resolve(plot), StandardCharsets.UTF_8);
            assertThat(BenchSvgChartTest.parse(svg)
                            .getElementsByTagName("circle")
                            .getLength())
                    .as(plot)
                    .isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void theSummaryTextNamesEveryNumber() {
        String text = BenchReport.summaryText(result(Workload.PUBLISH, 16, 1));
        assertThat(text)
                .contains("publish", "16 client(s)", "200.0 /s", "p99 20.00 ms", "p99.9 45.00 ms")
                .contains("errors 3", "timeouts 1", "gaps 0", "duplicates 0", "error x3: publish: boom");
    }

    @Test
    void scalingWritesOneLinePerServerCountAndATable(@TempDir Path directory) throws Exception {
        List<BenchReport.ScalingPoint> points = List.of(
                new BenchReport.ScalingPoint(1, 1, result(Workload.PUBLISH, 1, 1)),
                new BenchReport.ScalingPoint(1, 4, result(Workload.PUBLISH, 4, 2)),
                new BenchReport.ScalingPoint(3, 1, result(Workload.PUBLISH, 1, 3)),
                new BenchReport.ScalingPoint(3, 4, result(Workload.PUBLISH, 4, 4)));
        BenchReport.writeScaling(points, Map.of("workload", "publish"), directory);

        JsonNode json =
                JSON.readTree(directory.resolve(BenchReport.SCALING_FILE).toFile());
        assertThat(json.path("points")).hasSize(4);
        assertThat(json.path("points").get(2).path("servers").asInt()).isEqualTo(3);
        assertThat(json.path("points").get(3).path("clients").asInt()).isEqualTo(4);
        var svg = BenchSvgChartTest.parse(Files.readString(directory.resolve(BenchReport.SCALING_PLOT)));
        assertThat(svg.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(svg.getElementsByTagName("circle").getLength()).isEqualTo(4);
        assertThat(BenchReport.scalingTable(points).lines()).hasSize(5);
    }

    @Test
    void eachOperationIsReportedWithItsRateAndPercentiles() throws Exception {
        BenchResult plain = result(Workload.SOCIAL, 8, 1);
        LatencySummary posts = new LatencySummary(500, 3, 30, 40, 50);
        LatencySummary feeds = new LatencySummary(1_500, 2, 20, 25, 30);
        BenchResult result = new BenchResult(
                plain.config(),
                plain.summary(),
                plain.series(),
                plain.errorTexts(),
                Map.of("post", posts, "feed", feeds));

        JsonNode json = JSON.readTree(BenchReport.jsonLine(result));
        assertThat(json.path("social_mix").asText()).isEqualTo(SocialMix.DEFAULT.label());
        assertThat(json.path("operations").path("post").path("acked").asLong()).isEqualTo(500);
        assertThat(json.path("operations").path("post").path("per_s").asDouble())
                .isEqualTo(50.0);
        assertThat(json.path("operations").path("feed").path("p99_ms").asDouble())
                .isEqualTo(20.0);
        assertThat(BenchReport.summaryText(result))
                .contains("feed", "150.0 /s", "p99 20.00 ms", "(1500)")
                .contains("post", "50.0 /s", "p99 30.00 ms", "(500)");
        assertThat(BenchReport.summaryText(plain)).doesNotContain("(1500)");
    }

    @Test
    void aCelebrityResultIsConsistentOnlyWhenEveryCountIsAsSetUp() throws Exception {
        BenchConfig config = new BenchConfig(
                "b",
                "p",
                Workload.CELEBRITY,
                4,
                1,
                8,
                10,
                1,
                0.5,
                100,
                Duration.ZERO,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                1,
                3,
                "abc",
                SocialMix.DEFAULT,
                200);
        LatencySummary writes = new LatencySummary(900, 2, 20, 30, 40);
        List<CelebrityResult.Post> posts = List.of(
                new CelebrityResult.Post(12.5, 77, 14.0, writes, 1.1),
                new CelebrityResult.Post(30.0, 90, 31.0, writes, 1.2));
        CelebrityResult good = new CelebrityResult(
                config, 1.5, 200, 200, posts, writes, 10, 18, 25, writes, 2.3, 3.0, 2.0, writes, 20, 20, 20, 0, 0,
                Map.of());
        CelebrityResult missing = new CelebrityResult(
                config, 1.5, 199, 200, posts, writes, 10, 18, 25, writes, 2.3, 3.0, 2.0, writes, 20, 19, 20, 0, 0,
                Map.of());

        assertThat(good.consistent()).isTrue();
        assertThat(missing.consistent()).isFalse();
        JsonNode json = JSON.readTree(BenchReport.jsonLineOf(good.headline()));
        assertThat(json.path("followers").asInt()).isEqualTo(200);
        assertThat(json.path("post_accept_ms").asDouble()).isEqualTo(12.5);
        assertThat(json.path("post_accept_max_ms").asDouble()).isEqualTo(30.0);
        assertThat(json.path("posts")).hasSize(2);
        assertThat(json.path("posts").get(1).path("index").asLong()).isEqualTo(90);
        assertThat(json.path("before_second_p99_max_ms").asDouble()).isEqualTo(25.0);
        assertThat(json.path("before_p99_ms").asDouble()).isEqualTo(20.0);
        assertThat(json.path("during_acked").asLong()).isEqualTo(900);
        assertThat(json.path("consistent").asBoolean()).isTrue();
        assertThat(good.summaryText())
                .contains("accepted in 12.50 ms", "accepted in 30.00 ms", "200 follower(s)", "counts consistent");
        assertThat(missing.summaryText()).contains("NOT consistent", "19 see the last post first");
    }

    @Test
    void aPostLongerThanTheProtocolAllowsIsRefusedForTheSocialWorkloads() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BenchConfig(
                        "b",
                        "p",
                        Workload.SOCIAL,
                        1,
                        1,
                        8,
                        10,
                        1,
                        0.5,
                        1_001,
                        Duration.ZERO,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        1,
                        1,
                        "abc",
                        SocialMix.DEFAULT,
                        1))
                .hasMessageContaining("--message-bytes (a post)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BenchConfig(
                        "b",
                        "p",
                        Workload.CELEBRITY,
                        1,
                        1,
                        8,
                        10,
                        1,
                        0.5,
                        100,
                        Duration.ZERO,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        1,
                        1,
                        "abc",
                        SocialMix.DEFAULT,
                        0))
                .hasMessageContaining("--followers");
    }

    @Test
    void configValidationNamesTheOption() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BenchConfig(
                        "b",
                        "p",
                        Workload.PUBLISH,
                        0,
                        1,
                        8,
                        10,
                        1,
                        0.5,
                        100,
                        Duration.ZERO,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        1,
                        1,
                        "abc"))
                .hasMessageContaining("--clients");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BenchConfig(
                        "b",
                        "p",
                        Workload.MIXED,
                        1,
                        1,
                        8,
                        10,
                        1,
                        1.5,
                        100,
                        Duration.ZERO,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        1,
                        1,
                        "abc"))
                .hasMessageContaining("--read-ratio");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BenchConfig(
                        "b",
                        "p",
                        Workload.PUBLISH,
                        1,
                        1,
                        8,
                        10,
                        1,
                        0.5,
                        5_000,
                        Duration.ZERO,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(5),
                        1,
                        1,
                        "abc"))
                .hasMessageContaining("--message-bytes");
    }

    @Test
    void namesArePaddedSoNoneIsAPrefixOfAnother() {
        BenchConfig config = config(Workload.PRIVATE, 12);
        assertThat(config.userName(1)).isEqualTo("babc123u01");
        assertThat(config.userName(11)).isEqualTo("babc123u11");
        assertThat(config.channelCount()).isZero();
        assertThat(config(Workload.FANOUT, 3).channelCount()).isEqualTo(1);
    }
}
