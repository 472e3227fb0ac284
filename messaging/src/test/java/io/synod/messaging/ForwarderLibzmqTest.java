package io.synod.messaging;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker and the proxy speak ZeroMQ's wire protocol themselves; this runs libzmq peers (Debian's python3-zmq)
 * through them: REQ/REP, a DEALER with an identity, a client with ZMTP heartbeats idle long enough to need its
 * PINGs answered, PUB/SUB with a topic filter, and an XPUB publisher that connects late and is sent the
 * subscription. JeroMQ peers are in {@link ForwarderTest}.
 */
class ForwarderLibzmqTest {
    @Test
    void libzmqPeersWorkThroughTheBrokerAndTheProxy(@TempDir Path directory) throws Exception {
        Path script = PythonScript.fromResource("/libzmq_peers.py", directory);
        InteractionLog log = InteractionLog.inMemory("test");
        try (Forwarder broker =
                        BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
                Forwarder proxy =
                        ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system())) {
            PythonScript.runPassing(
                    "libzmq peers",
                    script,
                    List.of(
                            broker.frontendEndpoint(),
                            broker.backendEndpoint(),
                            proxy.frontendEndpoint(),
                            proxy.backendEndpoint()),
                    directory.resolve("python.out"),
                    60,
                    "all checks passed");
        }
    }
}
