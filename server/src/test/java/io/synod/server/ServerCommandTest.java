package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.BrokerCommand;
import io.synod.server.reference.ReferenceCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServerCommandTest {
    private static int run(Object command, StringWriter err, String... args) {
        CommandLine line = new CommandLine(command);
        line.setErr(new PrintWriter(err));
        return line.execute(args);
    }

    @Test
    void missingOrBadArgumentsExitNonZeroWithAMessage() {
        StringWriter err = new StringWriter();
        assertThat(run(new ServerCommand(), err, "--data-dir", "x")).isNotZero();
        assertThat(err.toString()).contains("--name");
        assertThat(run(
                        new ServerCommand(),
                        new StringWriter(),
                        "--name",
                        "s1",
                        "--data-dir",
                        "x",
                        "--admin-port",
                        "nope"))
                .isNotZero();
        assertThat(run(
                        new ServerCommand(),
                        new StringWriter(),
                        "--name",
                        "s1",
                        "--data-dir",
                        "x",
                        "--paxos-endpoint",
                        "nope"))
                .as("a group of one's endpoint is checked before anything starts")
                .isEqualTo(2);
        assertThat(run(new ReferenceCommand(), new StringWriter())).isNotZero();
        assertThat(run(new BrokerCommand(), new StringWriter(), "--bogus")).isNotZero();
    }
}
