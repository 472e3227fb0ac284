package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web app in a real browser: a 3-server cluster and {@code synod web} as real processes on
 * free loopback ports, two headless Chromium sessions (Debian's {@code chromium} and
 * {@code chromium-driver}, never downloaded), two users chatting live in a channel and by private
 * message; text with markup stays text and runs nothing, under a Content-Security-Policy the browser
 * enforces; a followed user's new post appears in the open feed without a reload; every message
 * shows once; search finds the user's own private message; a long channel opens at its newest page
 * and loads older pages as the list is scrolled to the top or with the "Load older messages" button
 * from the keyboard; the dashboard lists the three servers up. Screenshots go to the test's folder under target/system-tests.
 */
class WebBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** More than three of the app's history pages ({@code PAGE} in stream.js), not a whole number of them. */
    private static final int LONG_CHANNEL_MESSAGES = 330;

    private static final int PAGE = 100;
    private static final Pattern URL = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/)");
    /** Run in a page: keeps every Content-Security-Policy violation the page reports in window.cspViolations. */
    private static final String RECORD_CSP_VIOLATIONS = "window.cspViolations = [];"
            + " document.addEventListener('securitypolicyviolation',"
            + " (e) => window.cspViolations.push(e.effectiveDirective));";

    @Test
    @Timeout(300)
    void twoUsersChatLiveInAChannelAndPrivately() throws Exception {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser test skipped: install Debian's chromium and chromium-driver (/usr/bin/chromium,"
                        + " /usr/bin/chromedriver; .ci/run does)");
        try (Cluster cluster = new Cluster("web-browser")) {
            String url = startClusterAndWeb(cluster);
            Path shots = cluster.processes.directory().resolve("screenshots");
            Files.createDirectories(shots);

            List<WebDriver> drivers = new ArrayList<>();
            try {
                WebDriver ana = browser(cluster.processes.directory().resolve("chrome-ana"), drivers);
                WebDriver bob = browser(cluster.processes.directory().resolve("chrome-bob"), drivers);
                logIn(ana, url, "ana");
                logIn(bob, url, "bob");

                submit(ana, "channel-name", "geral");
                await(ana).until(ExpectedConditions.textToBe(By.id("room-title"), "# geral"));
                submit(bob, "channel-name", "geral");
                await(bob).until(ExpectedConditions.textToBe(By.id("room-title"), "# geral"));

                for (WebDriver driver : List.of(ana, bob)) {
                    ((JavascriptExecutor) driver).executeScript(RECORD_CSP_VIOLATIONS);
                }
                String hostile = "hello bob <script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">"
                        + "<img src=y onerror=alert(1)>";
                submit(ana, "send-text", hostile);
                awaitMessage(bob, hostile);
                submit(bob, "send-text", "hi ana");
                awaitMessage(ana, "hi ana");
                awaitMessage(ana, hostile);
                assertThat(ana.findElements(By.cssSelector("#messages script, #messages img")))
                        .isEmpty();
                for (WebDriver driver : List.of(ana, bob)) {
                    assertThat(countMessages(driver, hostile)).isEqualTo(1);
                    assertThat(countMessages(driver, "hi ana")).isEqualTo(1);
                    assertShownNotRun(driver, url);
                }
                assertThat(bob.findElement(By.id("notif-badge")).isDisplayed()).isFalse(); // nothing unread
                screenshot(bob, shots.resolve("chat-channel.png"));

                submit(ana, "dm-peer", "bob");
                await(ana).until(ExpectedConditions.textToBe(By.id("room-title"), "Conversation with bob"));
                submit(ana, "send-text", "a private word");
                awaitMessage(ana, "a private word");
                By anaInBobsList = By.cssSelector("#conversation-list button[data-name='ana']");
                await(bob)
                        .until(ExpectedConditions.elementToBeClickable(anaInBobsList))
                        .click();
                await(bob).until(ExpectedConditions.textToBe(By.id("room-title"), "Conversation with ana"));
                awaitMessage(bob, "a private word");
                // The private message is also a notification: bob's badge counts it.
                await(bob).until(ExpectedConditions.textToBe(By.id("notif-badge"), "1"));
                submit(bob, "send-text", "received, thanks");
                awaitMessage(ana, "received, thanks");
                assertThat(countMessages(ana, "a private word")).isEqualTo(1);
                assertThat(countMessages(bob, "received, thanks")).isEqualTo(1);
                screenshot(ana, shots.resolve("chat-private.png"));

                // A follow is a notification too: ana follows bob from his profile, bob's badge counts it live.
                ana.get(url + "#social");
                submit(ana, "profile-user", "bob");
                await(ana)
                        .until(ExpectedConditions.elementToBeClickable(By.id("follow-button")))
                        .click();
                await(ana).until(ExpectedConditions.textToBe(By.id("follow-button"), "Unfollow bob"));
                await(bob).until(ExpectedConditions.textToBe(By.id("notif-badge"), "2"));

                // ana's open feed shows bob's new post live: the web process listens to whom she follows.
                bob.get(url + "#social");
                submit(bob, "post-text", "news from bob 1");
                await(ana)
                        .until(ExpectedConditions.elementToBeClickable(By.id("tab-feed")))
                        .click();
                await(ana).until(driver -> socialTexts(driver).contains("news from bob 1"));
                ((JavascriptExecutor) ana).executeScript("window.sameDocument = true;");
                submit(bob, "post-text", "news from bob 2");
                await(ana).until(driver -> socialTexts(driver).equals(List.of("news from bob 2", "news from bob 1")));
                assertThat(((JavascriptExecutor) ana).executeScript("return window.sameDocument === true"))
                        .as("shown without a reload")
                        .isEqualTo(true);

                // Search finds bob's own private message and shows markup as text.
                bob.get(url + "#search");
                submit(bob, "search-query", "private word");
                await(bob).until(driver -> searchHits(driver, "a private word", "private") == 1);
                submit(bob, "search-query", "hello bob");
                await(bob).until(driver -> searchHits(driver, hostile, "channel") == 1);
                assertThat(bob.findElements(By.cssSelector("#search-results script, #search-results img")))
                        .isEmpty();

                // A long channel opens at its newest page; scrolling to the top loads the older ones.
                try (Cluster.RetryingClient carol =
                        new Cluster.RetryingClient(Processes.endpoint(cluster.brokerFrontend), "carol-test")) {
                    carol.write("login", Map.of("user", "carol"));
                    carol.write("channel", Map.of("channel", "longo"));
                    for (int i = 1; i <= LONG_CHANNEL_MESSAGES; i++) {
                        carol.write("publish", Map.of("user", "carol", "channel", "longo", "message", "old " + i));
                    }
                }
                ana.get(url + "#chat");
                submit(ana, "channel-name", "longo");
                await(ana).until(ExpectedConditions.textToBe(By.id("room-title"), "# longo"));
                awaitMessage(ana, "old " + LONG_CHANNEL_MESSAGES);
                assertThat(messageTexts(ana))
                        .as("only the newest page on opening")
                        .hasSize(PAGE)
                        .startsWith("old " + (LONG_CHANNEL_MESSAGES - PAGE + 1));
                // Scrolling to the top loads the page before...
                ((JavascriptExecutor) ana).executeScript("document.getElementById('messages').scrollTop = 0;");
                await(ana).until(driver -> messageTexts(driver).size() == 2 * PAGE);
                // ...and so does the keyboard: Enter on the labelled button. Focus stays on it while older
                // messages remain, then moves to the oldest message when the button goes away.
                WebElement older = ana.findElement(By.id("load-older"));
                assertThat(older.getAccessibleName()).isEqualTo("Load older messages");
                older.sendKeys(Keys.ENTER);
                await(ana).until(driver -> messageTexts(driver).size() == 3 * PAGE);
                assertThat(ana.switchTo().activeElement().getAttribute("id")).isEqualTo("load-older");
                ana.switchTo().activeElement().sendKeys(Keys.ENTER);
                await(ana).until(driver -> messageTexts(driver).size() == LONG_CHANNEL_MESSAGES);
                await(ana).until(ExpectedConditions.invisibilityOfElementLocated(By.id("load-older")));
                assertThat(ana.switchTo().activeElement().getAttribute("data-seq"))
                        .isEqualTo("1");
                assertThat(ana.findElement(By.id("older-note")).getAttribute("textContent"))
                        .isEqualTo("Loaded " + (LONG_CHANNEL_MESSAGES - 3 * PAGE) + " older messages");
                List<String> all = new ArrayList<>();
                for (int i = 1; i <= LONG_CHANNEL_MESSAGES; i++) {
                    all.add("old " + i);
                }
                assertThat(messageTexts(ana)).as("every message once, in order").isEqualTo(all);

                ana.get(url + "#dashboard");
                await(ana).until(ExpectedConditions.invisibilityOfElementLocated(By.id("chat-view")));
                await(ana)
                        .until(driver -> driver.findElements(By.cssSelector("#servers tbody tr[data-up='true']"))
                                        .size()
                                == 3);
                await(ana)
                        .until(driver -> !driver.findElements(By.cssSelector("#chart-offsets .uplot"))
                                .isEmpty());
                screenshot(ana, shots.resolve("dashboard.png"));
            } finally {
                for (WebDriver driver : drivers) {
                    driver.quit(); // also stops the driver's own chromedriver
                }
            }
        }
    }

    /** Starts three servers (a Paxos group of three) and {@code synod web} before them; returns the app's URL. */
    static String startClusterAndWeb(Cluster cluster) throws IOException, InterruptedException {
        return startClusterAndWeb(cluster, 3, false);
    }

    /** Starts {@code count} servers and {@code synod web}, all in secure mode or none; returns the app's URL. */
    static String startClusterAndWeb(Cluster cluster, int count, boolean secure)
            throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        StringBuilder members = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            names.add("server-" + i);
            members.append(members.isEmpty() ? "" : ",")
                    .append("server-" + i)
                    .append('=')
                    .append(Processes.endpoint(Processes.freePort()));
        }
        List<Processes.Started> servers = new ArrayList<>();
        for (String name : names) {
            List<String> extra = new ArrayList<>();
            if (count > 1) { // a server without them is a group of one
                extra.addAll(List.of("--initial-members", members.toString()));
            }
            if (secure) {
                extra.add("--secure");
            }
            servers.add(cluster.startServer(name, extra));
        }
        Cluster.awaitLeader(servers);
        List<String> web = new ArrayList<>(List.of(
                "web",
                "--broker",
                Processes.endpoint(cluster.brokerFrontend),
                "--proxy",
                Processes.endpoint(cluster.proxyXpub),
                "--port",
                Integer.toString(Processes.freePort()),
                "--log",
                cluster.log("web")));
        for (Processes.Started server : servers) {
            web.add("--admin");
            web.add(Cluster.adminUrl(server));
        }
        if (secure) {
            web.add("--secure");
        }
        Processes.Started webProcess = cluster.processes.start("web", web);
        Matcher matcher = URL.matcher(webProcess.readyLine());
        assertThat(matcher.find()).as(webProcess.readyLine()).isTrue();
        return matcher.group(1);
    }

    /** A headless Chromium with a fresh profile and a chromedriver of its own (never Selenium Manager's). */
    static WebDriver browser(Path profile, List<WebDriver> drivers) throws IOException {
        Files.createDirectories(profile);
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                "--window-size=1100,900",
                "--user-data-dir=" + profile);
        ChromeDriver driver = new ChromeDriver(service, options);
        drivers.add(driver);
        return driver;
    }

    static WebDriverWait await(WebDriver driver) {
        return new WebDriverWait(driver, WAIT);
    }

    static void logIn(WebDriver driver, String url, String user) {
        driver.get(url);
        submit(driver, "login-user", user);
        await(driver).until(ExpectedConditions.textToBe(By.id("whoami"), "Logged in as " + user));
        await(driver).until(ExpectedConditions.textToBe(By.id("conn"), "live"));
    }

    /** Types into the field and presses Enter: forms submit and the message box sends on Enter. */
    static void submit(WebDriver driver, String id, String text) {
        WebElement field = await(driver).until(ExpectedConditions.elementToBeClickable(By.id(id)));
        field.clear();
        field.sendKeys(text);
        field.sendKeys(Keys.ENTER);
    }

    /**
     * The page ran nothing of a hostile message: no alert, no flag set, not even a CSP refusal (it never tried); the page
     * came with the policy, and the browser enforces it: markup with an inline handler inserted as HTML (what a bug
     * in the app would do) is refused and reported, its handler not run.
     */
    static void assertShownNotRun(WebDriver driver, String url) {
        JavascriptExecutor page = (JavascriptExecutor) driver;
        assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        assertThat(page.executeScript("return window.pwned === undefined")).isEqualTo(true);
        assertThat((List<?>) page.executeScript("return window.cspViolations")).isEmpty();
        Object policy = page.executeAsyncScript("const done = arguments[arguments.length - 1];" + " fetch('" + url
                + "').then((r) => done(r.headers.get('content-security-policy')));");
        assertThat(String.valueOf(policy))
                .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline");
        page.executeScript("const probe = document.createElement('div'); probe.id = 'csp-probe';"
                + " probe.innerHTML = '<img src=\"/no-such-image\" onerror=\"window.pwned = 3\">';"
                + " document.body.append(probe);");
        await(driver).until(d -> !((List<?>) page.executeScript("return window.cspViolations")).isEmpty());
        assertThat((List<?>) page.executeScript("return window.cspViolations"))
                .allMatch(d -> String.valueOf(d).startsWith("script-src"));
        assertThat(page.executeScript("return window.pwned === undefined")).isEqualTo(true);
        page.executeScript("document.getElementById('csp-probe').remove(); window.cspViolations = [];");
    }

    static List<String> socialTexts(WebDriver driver) {
        return driver.findElements(By.cssSelector("#social-list li .text")).stream()
                .map(WebElement::getText)
                .toList();
    }

    static void awaitMessage(WebDriver driver, String text) {
        await(driver).until(d -> countMessages(d, text) >= 1);
    }

    static List<String> messageTexts(WebDriver driver) {
        return driver.findElements(By.cssSelector("#messages li .text")).stream()
                .map(WebElement::getText)
                .toList();
    }

    static long countMessages(WebDriver driver, String text) {
        return driver.findElements(By.cssSelector("#messages li .text")).stream()
                .filter(element -> text.equals(element.getText()))
                .count();
    }

    private static long searchHits(WebDriver driver, String text, String kind) {
        return driver.findElements(By.cssSelector("#search-results li[data-kind='" + kind + "'] .text")).stream()
                .filter(element -> text.equals(element.getText()))
                .count();
    }

    static void screenshot(WebDriver driver, Path file) throws IOException {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
