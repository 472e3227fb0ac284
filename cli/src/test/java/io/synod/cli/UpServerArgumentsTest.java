package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.server.RateLimits;
import io.synod.server.SearchIndexMode;
import io.synod.server.ServerCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * {@code synod up} hands its per-server options on to every server it starts: each server's command line, read by
 * {@code synod server}'s own parser, carries the search-index mode and the rate limits given to {@code up}, or their
 * defaults; a bad {@code --search-index} is refused by {@code up} naming the option before anything starts.
 */
class UpServerArgumentsTest {
    @TempDir
    Path directory;

    private static UpCommand parseUp(String... arguments) {
        UpCommand up = new UpCommand();
        new CommandLine(up).parseArgs(arguments);
        return up;
    }

    /** Server {@code i}'s command line as {@code up} builds it, parsed as the started server parses it. */
    private static ParseResult serverLine(UpCommand up, int i) {
        List<String> arguments =
                UpServerArguments.of(up, i, Path.of("run", "logs"), Path.of("run", "data"), new Random(1));
        assertThat(arguments.get(0)).isEqualTo("server");
        return new CommandLine(new ServerCommand())
                .parseArgs(arguments.subList(1, arguments.size()).toArray(String[]::new));
    }

    @Test
    void searchIndexAndRateLimitsReachEveryServer() {
        UpCommand up = parseUp("--servers", "3", "--search-index", "always", "--rate-limit-user-writes-per-s", "7");
        for (int i = 1; i <= 3; i++) {
            ParseResult server = serverLine(up, i);
            assertThat(server.matchedOptionValue("--name", "")).isEqualTo("server-" + i);
            assertThat(SearchIndexMode.fromOption("--search-index", server.matchedOptionValue("--search-index", "")))
                    .isEqualTo(SearchIndexMode.ALWAYS);
            assertThat(server.matchedOptionValue("--rate-limit-user-writes-per-s", 0L))
                    .isEqualTo(7L);
        }
    }

    @Test
    void withoutTheOptionsEveryServerGetsTheServersDefaults() {
        UpCommand up = parseUp("--servers", "1");
        ParseResult server = serverLine(up, 1);
        assertThat(server.matchedOptionValue("--search-index", "")).isEqualTo(SearchIndexMode.ON_DEMAND.optionValue());
        assertThat(server.matchedOptionValue("--rate-limit-user-writes-per-s", 0L))
                .isEqualTo(RateLimits.DEFAULT.userWritesPerSecond());
        assertThat(server.hasMatchedOption("--initial-members"))
                .as("one server is a group of one")
                .isFalse();
    }

    @Test
    void aBadSearchIndexIsRefusedNamingTheOptionBeforeAnythingStarts() {
        Path runDir = directory.resolve("run");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int status;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            status = new CommandLine(new UpCommand())
                    .execute("--run-dir", runDir.toString(), "--search-index", "sometimes");
        } finally {
            System.setErr(saved);
        }
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--search-index")
                .contains("on-demand, always")
                .contains("'sometimes'");
        assertThat(runDir).as("nothing started, nothing written").doesNotExist();
    }
}
