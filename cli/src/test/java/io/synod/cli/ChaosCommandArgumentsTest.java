package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code synod chaos} refuses a bad command line with status 2 and a message naming the option, starting nothing. */
class ChaosCommandArgumentsTest {
    @TempDir
    Path directory;

    private String refused(String... arguments) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int status;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            status = new CommandLine(new ChaosCommand()).execute(arguments);
        } finally {
            System.setErr(saved);
        }
        assertThat(status).isEqualTo(2);
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void eachBadOptionIsNamed() {
        assertThat(refused()).contains("--minutes").contains("--seconds");
        assertThat(refused("--minutes", "1", "--seconds", "5")).contains("exactly one");
        assertThat(refused("--seconds", "0")).contains("longer than 0");
        assertThat(refused("--minutes", "1", "--servers", "4")).contains("--servers");
        assertThat(refused("--minutes", "1", "--writers", "0")).contains("--writers");
    }

    @Test
    void aRunDirectoryOfSomethingElseIsLeftAlone() throws Exception {
        Path foreign = directory.resolve("precious");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "keep me");
        assertThat(refused("--seconds", "5", "--run-dir", foreign.toString())).contains("--run-dir");
        assertThat(foreign.resolve("notes.txt")).hasContent("keep me");
    }
}
