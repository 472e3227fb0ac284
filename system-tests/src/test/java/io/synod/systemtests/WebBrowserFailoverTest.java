package io.synod.systemtests;

import static io.synod.systemtests.WebBrowserTest.await;
import static io.synod.systemtests.WebBrowserTest.logIn;
import static io.synod.systemtests.WebBrowserTest.screenshot;
import static io.synod.systemtests.WebBrowserTest.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web app through failures, in a real browser (Debian's headless Chromium, as {@link
 * WebBrowserTest}): two users chat in a channel while (a) the Paxos leader is killed with -9 and
 * the chat goes on, (b) a third page on the dashboard shows the killed server down, then up again
 * once it is restarted on its data directory, and (c) the web process itself is killed and
 * restarted on its port while a third user posts through the cluster directly: both pages
 * reconnect by themselves and fill the gap from history. At the end both pages show every message
 * of the channel exactly once, in the same order. Every process binds free loopback ports; every
 * wait is bounded. Prints how long a message took to show on the other user's page (a report,
 * not an assertion), and saves small screenshots at a fixed viewport for the README.
 */
class WebBrowserFailoverTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/)");
    /** Messages timed from one page to the other before the failures (half each way). */
    private static final int TIMED_MESSAGES = 20;
    /** Messages each user sends right after the leader is killed. */
    private static final int AFTER_KILL_MESSAGES = 3;
    /** Messages posted through the cluster while the web process is down. */
    private static final int GAP_MESSAGES = 3;
    /** A send spans a leader election: the web process's client retries within its own budget. */
    private static final Duration SEND_WAIT = Duration.ofSeconds(60);
    /** The README's screenshots: small enough to stay under 150 KB each. */
    private static final Dimension SCREENSHOT_VIEWPORT = new Dimension(960, 600);
    /** The dashboard's table, plots and change list need a taller page. */
    private static final Dimension DASHBOARD_VIEWPORT = new Dimension(960, 1350);
    /** Longer than the dashboard page's own poll (1 s), so it redraws once at a new size. */
    private static final long REDRAW_PAUSE_MILLIS = 1_500;

    @Test
    @Timeout(300)
    void chatSurvivesALeaderKillAndAWebRestart() throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser test skipped: install Debian's chromium and chromium-driver");
        try (Cluster cluster = new Cluster("web-failover")) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            StringBuilder members = new StringBuilder();
            Map<String, Integer> adminPorts = new LinkedHashMap<>();
            for (String name : names) {
                members.append(members.isEmpty() ? "" : ",")
                        .append(name)
                        .append('=')
                        .append(Processes.endpoint(Processes.freePort()));
                adminPorts.put(name, Processes.freePort());
            }
            Map<String, Processes.Started> servers = new LinkedHashMap<>();
            for (String name : names) {
                servers.put(name, startServer(cluster, name, members.toString(), adminPorts.get(name)));
            }
            Cluster.awaitLeader(List.copyOf(servers.values()));
            int webPort = Processes.freePort();
            List<String> webArguments = new ArrayList<>(List.of(
                    "web",
                    "--broker",
                    Processes.endpoint(cluster.brokerFrontend),
                    "--proxy",
                    Processes.endpoint(cluster.proxyXpub),
                    "--port",
                    Integer.toString(webPort),
                    "--log",
                    cluster.log("web")));
            adminPorts.values().forEach(port -> {
                webArguments.add("--admin");
                webArguments.add(adminUrl(port));
            });
            Processes.Started web = cluster.processes.start("web", webArguments);
            Matcher matcher = URL.matcher(web.readyLine());
            assertThat(matcher.find()).as(web.readyLine()).isTrue();
            String url = matcher.group(1);
            Path shots = cluster.processes.directory().resolve("screenshots");
            Files.createDirectories(shots);

            List<WebDriver> drivers = new ArrayList<>();
            try {
                Path dir = cluster.processes.directory();
                WebDriver ana = WebBrowserTest.browser(dir.resolve("chrome-ana"), drivers);
                WebDriver bob = WebBrowserTest.browser(dir.resolve("chrome-bob"), drivers);
                WebDriver ops = WebBrowserTest.browser(dir.resolve("chrome-ops"), drivers);
                ops.get(url + "#dashboard");
                awaitRows(ops, "true", 3);
                logIn(ana, url, "ana");
                logIn(bob, url, "bob");
                submit(ana, "channel-name", "sala");
                await(ana).until(ExpectedConditions.textToBe(By.id("room-title"), "# sala"));
                submit(bob, "channel-name", "sala");
                await(bob).until(ExpectedConditions.textToBe(By.id("room-title"), "# sala"));
                watchArrivals(ana);
                watchArrivals(bob);

                List<String> sent = new ArrayList<>();
                List<Long> latencies = new ArrayList<>();
                for (int i = 0; i < TIMED_MESSAGES; i++) {
                    boolean fromAna = i % 2 == 0;
                    String text = (fromAna ? "ana " : "bob ") + "says " + i;
                    WebDriver sender = fromAna ? ana : bob;
                    send(sender, text);
                    sent.add(text);
                    WebDriver other = fromAna ? bob : ana;
                    await(other).until(d -> arrival(d, text) != null);
                    latencies.add(arrival(other, text) - timeOf(sender, "sentAt", text));
                }
                List<Long> sorted = latencies.stream().sorted().toList();
                System.out.printf(
                        "web-failover: a message shows on the other user's page in p50 %d ms, max %d ms (%d messages,"
                                + " from the Enter key on one page to the insertion on the other)%n",
                        sorted.get(sorted.size() / 2), sorted.getLast(), sorted.size());

                // (a) kill -9 of the leader while both users keep talking
                Processes.Started leader = Cluster.awaitLeader(List.copyOf(servers.values()));
                String killed = leader.name();
                Processes.kill(leader);
                servers.remove(killed);
                long killedAt = System.nanoTime();
                for (int i = 0; i < AFTER_KILL_MESSAGES; i++) {
                    for (WebDriver driver : List.of(ana, bob)) {
                        String text = (driver == ana ? "ana" : "bob") + " after the kill " + i;
                        send(driver, text);
                        sent.add(text);
                    }
                }
                System.out.printf(
                        "web-failover: %d messages sent in %d ms after kill -9 of %s%n",
                        2 * AFTER_KILL_MESSAGES,
                        Duration.ofNanos(System.nanoTime() - killedAt).toMillis(),
                        killed);

                // (b) the dashboard shows it down, then up after a restart on the same data directory
                String killedAdmin = adminUrl(adminPorts.get(killed));
                await(ops)
                        .until(d -> !d.findElements(By.cssSelector(
                                        "#servers tr[data-admin='" + killedAdmin + "'][data-up='false']"))
                                .isEmpty());
                await(ops)
                        .until(d -> !d.findElements(By.cssSelector("#changes li[data-kind='server-down']"))
                                .isEmpty());
                servers.put(killed, startServer(cluster, killed, members.toString(), adminPorts.get(killed)));
                await(ops)
                        .until(d -> !d.findElements(
                                        By.cssSelector("#servers tr[data-admin='" + killedAdmin + "'][data-up='true']"))
                                .isEmpty());
                await(ops)
                        .until(d -> !d.findElements(By.cssSelector("#changes li[data-kind='server-up']"))
                                .isEmpty());
                assertThat(ops.findElements(By.cssSelector("#changes li[data-kind='leader']")))
                        .as("the new leader is listed")
                        .isNotEmpty();
                await(ops)
                        .until(d ->
                                !d.findElements(By.cssSelector("#log-tail li")).isEmpty());
                ops.manage().window().setSize(DASHBOARD_VIEWPORT);
                Thread.sleep(REDRAW_PAUSE_MILLIS); // one more poll redraws the plots at the new width
                screenshot(ops, shots.resolve("readme-dashboard.png"));

                // (c) the web process dies; a third user writes meanwhile; it comes back on its port
                Processes.kill(web);
                for (WebDriver driver : List.of(ana, bob)) {
                    await(driver).until(ExpectedConditions.textToBe(By.id("conn"), "reconnecting…"));
                }
                try (Cluster.RetryingClient carol =
                        new Cluster.RetryingClient(Processes.endpoint(cluster.brokerFrontend), "carol-test")) {
                    carol.write("login", Map.of("user", "carol"));
                    for (int i = 0; i < GAP_MESSAGES; i++) {
                        String text = "carol while the web was down " + i;
                        carol.write("publish", Map.of("user", "carol", "channel", "sala", "message", text));
                        sent.add(text);
                    }
                }
                web = cluster.processes.start("web", webArguments);
                for (WebDriver driver : List.of(ana, bob)) {
                    await(driver).until(ExpectedConditions.textToBe(By.id("conn"), "live"));
                    WebBrowserTest.awaitMessage(driver, sent.getLast());
                }
                send(ana, "ana after the web restart");
                sent.add("ana after the web restart");
                WebBrowserTest.awaitMessage(bob, "ana after the web restart");

                List<String> anaSees = texts(ana);
                assertThat(anaSees).as("every message once on ana's page").containsExactlyInAnyOrderElementsOf(sent);
                assertThat(texts(bob))
                        .as("the same messages in the same order on bob's page")
                        .isEqualTo(anaSees);

                screenshots(url, ana, bob, shots);
            } finally {
                for (WebDriver driver : drivers) {
                    driver.quit();
                }
            }
        }
    }

    /** The chat and a social page at {@link #SCREENSHOT_VIEWPORT}, for docs/images. */
    private static void screenshots(String url, WebDriver ana, WebDriver bob, Path shots) throws IOException {
        for (WebDriver driver : List.of(ana, bob)) {
            driver.manage().window().setSize(SCREENSHOT_VIEWPORT);
        }
        screenshot(ana, shots.resolve("readme-chat.png"));
        ana.get(url + "#social");
        submit(ana, "post-text", "Posts, follows and a feed live next to the chat.");
        bob.get(url + "#social");
        await(bob)
                .until(ExpectedConditions.elementToBeClickable(By.id("tab-timeline")))
                .click();
        await(bob)
                .until(d -> d.findElements(By.cssSelector("#social-list li .text")).stream()
                        .anyMatch(e -> e.getText().startsWith("Posts, follows")));
        screenshot(bob, shots.resolve("readme-social.png"));
    }

    private static String adminUrl(int port) {
        return "http://127.0.0.1:" + port;
    }

    /** A server on a fixed admin port, so the web process's {@code --admin} URL finds it after a restart. */
    private static Processes.Started startServer(Cluster cluster, String name, String members, int adminPort)
            throws IOException, InterruptedException {
        return cluster.processes.start(
                name,
                List.of(
                        "server",
                        "--name",
                        name,
                        "--broker",
                        Processes.endpoint(cluster.brokerBackend),
                        "--proxy",
                        Processes.endpoint(cluster.proxyXsub),
                        "--reference",
                        Processes.endpoint(cluster.reference),
                        "--data-dir",
                        cluster.dir(name).toString(),
                        "--admin-port",
                        Integer.toString(adminPort),
                        "--advertise",
                        Processes.endpoint(Processes.freePort()),
                        "--log",
                        cluster.log(name),
                        "--initial-members",
                        members));
    }

    private static void awaitRows(WebDriver driver, String up, int count) {
        await(driver)
                .until(d -> d.findElements(By.cssSelector("#servers tbody tr[data-up='" + up + "']"))
                                .size()
                        == count);
    }

    /**
     * Types and sends; waits until the app cleared the box (the cluster acknowledged) and fails on
     * the app's error text.
     */
    private static void send(WebDriver driver, String text) {
        submit(driver, "send-text", text);
        new WebDriverWait(driver, SEND_WAIT)
                .until(d -> d.findElement(By.id("send-text"))
                                .getDomProperty("value")
                                .isEmpty()
                        || !d.findElement(By.id("send-error")).getText().isEmpty());
        assertThat(driver.findElement(By.id("send-error")).getText())
                .as("sending " + text)
                .isEmpty();
    }

    /**
     * Records, in the page, when Enter sends each text and when each text is first inserted in the
     * list (Date.now(): both pages read the same machine's clock).
     */
    private static void watchArrivals(WebDriver driver) {
        ((JavascriptExecutor) driver)
                .executeScript("window.arrivals = {}; window.sentAt = {};"
                        + "document.getElementById('send-text').addEventListener('keydown', (e) => {"
                        + "  if (e.key === 'Enter' && !e.shiftKey) window.sentAt[e.target.value] = Date.now(); });"
                        + "new MutationObserver((records) => { for (const r of records) for (const n of r.addedNodes) {"
                        + "  const t = n.querySelector && n.querySelector('.text');"
                        + "  if (t && !(t.textContent in window.arrivals)) window.arrivals[t.textContent] = Date.now(); } })"
                        + ".observe(document.getElementById('messages'), { childList: true });");
    }

    private static Long arrival(WebDriver driver, String text) {
        return timeOf(driver, "arrivals", text);
    }

    private static Long timeOf(WebDriver driver, String table, String text) {
        Object value =
                ((JavascriptExecutor) driver).executeScript("return window[arguments[0]][arguments[1]];", table, text);
        return value instanceof Number n ? n.longValue() : null;
    }

    private static List<String> texts(WebDriver driver) {
        return driver.findElements(By.cssSelector("#messages li .text")).stream()
                .map(e -> e.getText())
                .toList();
    }
}
