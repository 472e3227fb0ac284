package io.synod.systemtests;

import static io.synod.systemtests.WebBrowserTest.await;
import static io.synod.systemtests.WebBrowserTest.awaitMessage;
import static io.synod.systemtests.WebBrowserTest.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The web app in secure mode, in a real browser (as {@link WebBrowserTest}): a server and {@code synod web}, both
 * with {@code --secure}. A login without a password is refused on the page; with one the user chats (every write
 * carries the cluster's session token, which the server requires), nothing the page's scripts can read holds a
 * token or the password, a reload keeps the session, and logging out ends it: a reload then shows the login form.
 */
class WebBrowserSecureTest {
    @Test
    @Timeout(120)
    void aPasswordLoginChatsAndLogsOutInSecureMode() throws Exception {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/chromium"))
                        && Files.isExecutable(Path.of("/usr/bin/chromedriver")),
                "browser test skipped: install Debian's chromium and chromium-driver");
        try (Cluster cluster = new Cluster("web-secure")) {
            String url = WebBrowserTest.startClusterAndWeb(cluster, 1, true);
            List<WebDriver> drivers = new ArrayList<>();
            try {
                WebDriver page =
                        WebBrowserTest.browser(cluster.processes.directory().resolve("chrome"), drivers);
                JavascriptExecutor script = (JavascriptExecutor) page;
                page.get(url);
                submit(page, "login-user", "segura");
                await(page)
                        .until(driver -> driver.findElement(By.id("login-error"))
                                .getText()
                                .contains("'password'"));

                page.findElement(By.id("login-password")).sendKeys("a long passphrase");
                submit(page, "login-user", "segura");
                await(page).until(ExpectedConditions.textToBe(By.id("whoami"), "Logged in as segura"));
                await(page).until(ExpectedConditions.textToBe(By.id("conn"), "live"));
                submit(page, "channel-name", "cofre");
                await(page).until(ExpectedConditions.textToBe(By.id("room-title"), "# cofre"));
                submit(page, "send-text", "written with the session's token");
                awaitMessage(page, "written with the session's token");
                assertThat(page.findElement(By.id("send-error")).getText()).isEmpty();

                assertThat(script.executeScript("return document.cookie"))
                        .as("HttpOnly")
                        .isEqualTo("");
                String storage = String.valueOf(
                        script.executeScript("return JSON.stringify(Object.assign({}, sessionStorage, localStorage))"));
                assertThat(storage).doesNotContain("passphrase").doesNotContain("token");

                // A reload keeps the session (cookie) and gets its CSRF token again: writes still go through.
                page.navigate().refresh();
                await(page).until(ExpectedConditions.textToBe(By.id("whoami"), "Logged in as segura"));
                submit(page, "channel-name", "cofre");
                await(page).until(ExpectedConditions.textToBe(By.id("room-title"), "# cofre"));
                submit(page, "send-text", "after a reload");
                awaitMessage(page, "after a reload");

                page.findElement(By.id("logout")).click();
                await(page).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-view")));
                page.navigate().refresh();
                await(page).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-view")));
                assertThat(page.findElement(By.id("whoami")).getText()).isEmpty();
            } finally {
                for (WebDriver driver : drivers) {
                    driver.quit();
                }
            }
        }
    }
}
