package io.synod.systemtests;

import static io.synod.systemtests.WebBrowserTest.await;
import static io.synod.systemtests.WebBrowserTest.logIn;
import static io.synod.systemtests.WebBrowserTest.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * How long the web app takes to show a message, measured in one page so both timestamps come from one clock
 * ({@code performance.now()}): the page sends a channel message through the web API ({@code POST /api/publish}) and
 * times until the app has put it in the open channel's list, delivered back to the same session over the WebSocket:
 * HTTP to the web process, the cluster's Paxos write, the proxy, the web process's client and the WebSocket, and the
 * app's rendering. One message at a time, {@link #SAMPLES} after {@link #WARM_UP} untimed ones, on a 3-server cluster
 * of real processes. Prints p50, p99 and the count, and writes them to {@code target/web-display-time.txt}; no
 * assertion on the times (a shared machine's numbers), only that every message was shown.
 */
class WebDisplayTimeTest {
    private static final int WARM_UP = 20;
    static final int SAMPLES = 200;
    /** One message not shown within this is a failure of the run, not a sample. */
    private static final long MESSAGE_WAIT_MILLIS = 5_000;
    /** The whole measurement, in the page. */
    private static final Duration MEASURE_WAIT = Duration.ofSeconds(60);

    /**
     * Runs in the page: sends each message, resolves once both the reply came and the message is in #messages; returns
     * the send-to-shown times in ms, or a text naming the first failure.
     */
    private static final String MEASURE = """
            const [warmUp, samples, waitMs, done] = arguments;
            const list = document.getElementById('messages');
            const csrf = (await (await fetch('/api/session')).json()).csrf;
            const shown = (text) => [...list.querySelectorAll('li .text')].some((el) => el.textContent === text);
            const times = [];
            try {
              for (let i = 0; i < warmUp + samples; i++) {
                const text = `timed ${i}`;
                let observer;
                const start = performance.now();
                const appeared = new Promise((resolve, reject) => {
                  observer = new MutationObserver(() => { if (shown(text)) resolve(performance.now()); });
                  observer.observe(list, { childList: true });
                  setTimeout(() => reject(new Error(`${text} not shown in ${waitMs} ms`)), waitMs);
                });
                const reply = await fetch('/api/publish', { method: 'POST',
                  headers: { 'Content-Type': 'application/json', 'X-Synod-CSRF': csrf },
                  body: JSON.stringify({ channel: 'relogio', message: text }) });
                if (!reply.ok) throw new Error(`publish ${i}: HTTP ${reply.status}`);
                const end = await appeared;
                observer.disconnect();
                if (i >= warmUp) times.push(end - start);
              }
              done(times);
            } catch (error) { done(String(error)); }
            """;

    @Test
    @Timeout(150)
    void twoHundredMessagesSentAndShownInOnePage() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/chromium"))
                        && Files.isExecutable(Path.of("/usr/bin/chromedriver")),
                "browser test skipped: install Debian's chromium and chromium-driver");
        try (Cluster cluster = new Cluster("web-display-time")) {
            String url = WebBrowserTest.startClusterAndWeb(cluster);
            List<WebDriver> drivers = new ArrayList<>();
            try {
                WebDriver page =
                        WebBrowserTest.browser(cluster.processes.directory().resolve("chrome"), drivers);
                logIn(page, url, "relogio");
                submit(page, "channel-name", "relogio");
                await(page).until(ExpectedConditions.textToBe(By.id("room-title"), "# relogio"));
                page.manage().timeouts().scriptTimeout(MEASURE_WAIT);
                long started = System.nanoTime();
                Object result = ((JavascriptExecutor) page)
                        .executeAsyncScript(
                                "(async () => {" + MEASURE + "})();", WARM_UP, SAMPLES, MESSAGE_WAIT_MILLIS);
                long tookMillis = (System.nanoTime() - started) / 1_000_000;
                assertThat(result).as("the page's measurement").isInstanceOf(List.class);
                List<Double> times = ((List<?>) result)
                        .stream().map(v -> ((Number) v).doubleValue()).sorted().toList();
                assertThat(times).hasSize(SAMPLES);
                String report = String.format(
                        java.util.Locale.ROOT,
                        "web display time: p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d samples (%d warm-up), %d ms in all;"
                                + " from POST /api/publish in the page to the message in the page's channel list"
                                + " (3 servers, one page, %s)%n",
                        percentile(times, 50),
                        percentile(times, 99),
                        times.getLast(),
                        times.size(),
                        WARM_UP,
                        tookMillis,
                        Instant.now());
                System.out.print(report);
                Path file = Path.of("target", "web-display-time.txt");
                Files.createDirectories(file.getParent());
                Files.writeString(file, report);
                assertThat(WebBrowserTest.messageTexts(page)).contains("timed " + (WARM_UP + SAMPLES - 1));
            } finally {
                for (WebDriver driver : drivers) {
                    driver.quit();
                }
            }
        }
    }

    /** Nearest rank: the smallest value with at least {@code p} percent of the values at or below it. */
    static double percentile(List<Double> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }
}
