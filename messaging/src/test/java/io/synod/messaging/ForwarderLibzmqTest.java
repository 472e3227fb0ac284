package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker and the proxy speak ZeroMQ's wire protocol themselves; this runs libzmq peers (Debian's python3-zmq)
 * through them: REQ/REP, a DEALER with an identity, a client with ZMTP heartbeats idle long enough to need its
 * PINGs answered, PUB/SUB with a topic filter, and an XPUB publisher that connects late and is sent the
 * subscription. JeroMQ peers are in {@link ForwarderTest}.
 */
class ForwarderLibzmqTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void libzmqPeersWorkThroughTheBrokerAndTheProxy(@TempDir Path directory) throws Exception {
        assertThat(PYTHON)
                .as("Debian's /usr/bin/python3 (apt-get install python3-zmq python3-msgpack)")
                .exists();
        Path script = directory.resolve("libzmq_peers.py");
        try (var in = ForwarderLibzmqTest.class.getResourceAsStream("/libzmq_peers.py")) {
            Files.write(script, in.readAllBytes());
        }
        InteractionLog log = InteractionLog.inMemory("test");
        try (Forwarder broker =
                        BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
                Forwarder proxy =
                        ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system())) {
            Path output = directory.resolve("python.out");
            Process python = new ProcessBuilder(List.of(
                            PYTHON.toString(),
                            script.toString(),
                            broker.frontendEndpoint(),
                            broker.backendEndpoint(),
                            proxy.frontendEndpoint(),
                            proxy.backendEndpoint()))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean finished = python.waitFor(60, TimeUnit.SECONDS);
            if (!finished) {
                python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(finished)
                    .as("the libzmq peers finished in time:\n" + text)
                    .isTrue();
            assertThat(python.exitValue()).as("libzmq peers:\n" + text).isZero();
            assertThat(text).contains("all checks passed").doesNotContain("FAIL");
        }
    }
}
