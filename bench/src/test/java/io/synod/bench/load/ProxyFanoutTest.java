package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyFanoutTest {
    private static BenchConfig config(int subscribers) {
        return new BenchConfig(
                "tcp://127.0.0.1:1",
                "tcp://127.0.0.1:2",
                Workload.PROXY_FANOUT,
                1,
                1,
                1,
                subscribers,
                0,
                0,
                100,
                Duration.ofMillis(300),
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                1,
                0,
                "pf1");
    }

    @Test
    void everySubscriberGetsEveryPublicationOnceInOrderFromTheBenchsOwnProxy() throws InterruptedException {
        List<String> progress = new ArrayList<>();
        BenchResult result = new BenchRun(config(5), progress::add).run();
        BenchResult.Summary summary = result.summary();
        assertThat(summary.subscriberSockets()).isEqualTo(5);
        assertThat(summary.deliveries()).isPositive();
        assertThat(summary.gaps()).isZero();
        assertThat(summary.duplicates()).isZero();
        assertThat(summary.outOfOrder()).isZero();
        assertThat(summary.ackedWrites()).as("no cluster, no requests").isZero();
        assertThat(summary.deliveryLatency().count())
                .as("each delivery timed from the stamp its text starts with")
                .isEqualTo(summary.deliveries());
        assertThat(progress.get(0)).startsWith("bench: proxy of its own: XSUB tcp://127.0.0.1:");
        assertThat(BenchReport.summaryText(result)).startsWith("synod bench: proxy-fanout, 1 publisher into a proxy");
        assertThat(result.config().toMap())
                .containsEntry("workload", "proxy-fanout")
                .containsEntry("proxy", "in-process");
    }

    @Test
    void theSendTimeIsReadFromTheTextsBytesAsFromTheText() {
        for (String text : List.of("t123;abc", "t-42;", "t;x", "t12a;", "x1;", "t1", "t123456789012345678901;")) {
            byte[] bytes = ("ab" + text).getBytes(StandardCharsets.UTF_8);
            assertThat(MessageStamp.sentNanos(bytes, 2, bytes.length)).as(text).isEqualTo(MessageStamp.sentNanos(text));
        }
    }
}
