package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code synod sim --seeds N --start S} reaches the simulator with its arguments (it once refused them). */
class SimCliCommandTest {

    @Test
    void simPassesItsArgumentsToTheSimulator() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            status = new CommandLine(new SynodMain()).execute("sim", "--seeds", "3", "--start", "11");
        } finally {
            System.setOut(saved);
        }
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("3 seeds, 0 failed");
    }
}
