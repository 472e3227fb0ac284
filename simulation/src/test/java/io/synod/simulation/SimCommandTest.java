package io.synod.simulation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimCommandTest {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    private List<String> lines() {
        return buffer.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void passingRunEndsWithSummaryAndExitZero() {
        assertThat(SimCommand.run(new String[] {"--seeds", "20", "--start", "100"}, out))
                .isZero();
        assertThat(lines()).last().isEqualTo("20 seeds, 0 failed");
        assertThat(lines()).filteredOn(l -> l.startsWith("progress:")).hasSize(9);
    }

    @Test
    void badArgumentsGiveUsageAndExitTwo() {
        assertThat(SimCommand.run(new String[] {"--seeds"}, out)).isEqualTo(2);
        assertThat(lines()).first().asString().startsWith("usage:");
        assertThat(SimCommand.run(new String[] {"--bogus"}, out)).isEqualTo(2);
    }
}
