package io.synod.messaging;

import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.messaging.zmtp.Z85Keys;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our CURVE against libzmq's (Debian's python3-zmq, built with libsodium): a secure broker and proxy serve libzmq
 * CURVE clients, servers, publishers and subscribers; a client with a wrong server key, a NULL client, a server
 * and a publisher with another key than the server key get nothing through. The key files are written by
 * {@link Z85Keys} and read by pyzmq's {@code zmq.auth.load_certificate}.
 */
class CurveInteropTest {
    @Test
    void libzmqCurvePeersWorkThroughASecureBrokerAndProxy(@TempDir Path directory) throws Exception {
        Path script = PythonScript.fromResource("/libzmq_curve_peers.py", directory);
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
            PythonScript.runPassing(
                    "libzmq CURVE peers",
                    script,
                    List.of(
                            keys.toString(),
                            broker.frontendEndpoint(),
                            broker.backendEndpoint(),
                            proxy.frontendEndpoint(),
                            proxy.backendEndpoint()),
                    directory.resolve("python.out"),
                    90,
                    "all checks passed");
        }
    }
}
