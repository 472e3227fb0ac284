package io.synod.server.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.server.ServerCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The coordination options of {@code synod server} are checked before anything starts. */
class ServerOptionsTest {
    private static int run(String... args) {
        CommandLine line = new CommandLine(new ServerCommand());
        line.setErr(new PrintWriter(new StringWriter()));
        return line.execute(args);
    }

    @Test
    void aSkewBeyondOneSecondOrASyncIntervalBelowTwoTicksIsRejected() {
        assertThat(run("--name", "s1", "--data-dir", "target/unused", "--clock-skew-ms", "1500"))
                .isEqualTo(2);
        assertThat(run("--name", "s1", "--data-dir", "target/unused", "--clock-sync-interval-ms", "5"))
                .isEqualTo(2);
    }
}
