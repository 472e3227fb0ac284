package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.Z85Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our CURVE against libzmq's (Debian's python3-zmq, built with libsodium): a secure broker and proxy serve libzmq
 * CURVE clients, servers, publishers and subscribers; a client with a wrong server key, a NULL client, a server
 * and a publisher with another key than the server key get nothing through. The key files are written by
 * {@link Z85Keys} and read by pyzmq's {@code zmq.auth.load_certificate}.
 */
class CurveInteropTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void libzmqCurvePeersWorkThroughASecureBrokerAndProxy(@TempDir Path directory) throws Exception {
        assertThat(PYTHON).as("Debian's /usr/bin/python3 with python3-zmq").exists();
        Path script = directory.resolve("libzmq_curve_peers.py");
        try (var in = CurveInteropTest.class.getResourceAsStream("/libzmq_curve_peers.py")) {
            Files.write(script, in.readAllBytes());
        }
        CurveCrypto.KeyPair serverKeys = CurveCrypto.generate(new SecureRandom());
        Path keys = directory.resolve("keys");
        Z85Keys.write(keys, "server", serverKeys);
        InteractionLog log = InteractionLog.inMemory("test");
        try (Forwarder broker = BrokerCommand.start(
                        "tcp://127.0.0.1:*",
                        "tcp://127.0.0.1:*",
                        ForwarderSecurity.broker(serverKeys),
                        log,
                        ProcessClock.system());
                Forwarder proxy = ProxyCommand.start(
                        "tcp://127.0.0.1:*",
                        "tcp://127.0.0.1:*",
                        ForwarderSecurity.proxy(serverKeys),
                        log,
                        ProcessClock.system())) {
            Path output = directory.resolve("python.out");
            Process python = new ProcessBuilder(List.of(
                            PYTHON.toString(),
                            script.toString(),
                            keys.toString(),
                            broker.frontendEndpoint(),
                            broker.backendEndpoint(),
                            proxy.frontendEndpoint(),
                            proxy.backendEndpoint()))
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean finished = python.waitFor(90, TimeUnit.SECONDS);
            if (!finished) {
                python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(finished)
                    .as("the libzmq peers finished in time:\n" + text)
                    .isTrue();
            assertThat(python.exitValue()).as("libzmq CURVE peers:\n" + text).isZero();
            assertThat(text).contains("all checks passed").doesNotContain("FAIL");
        }
    }
}
