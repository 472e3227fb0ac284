package io.synod.web;

import io.synod.messaging.BrokerCommand;
import io.synod.messaging.Forwarder;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ProxyCommand;
import io.synod.registry.RegistryConfig;
import io.synod.server.ChatServer;
import io.synod.server.ServerConfig;
import io.synod.server.reference.ReferenceServer;
import java.nio.file.Path;
import java.util.List;

/**
 * A real cluster in the test's JVM on free loopback ports: broker, proxy, reference and one server
 * (a Paxos group of one), plus a web process in front of it, both in compat or both in secure mode. Everything is
 * closed by {@link #close()}.
 */
final class LocalCluster implements AutoCloseable {
    final Forwarder broker;
    final Forwarder proxy;
    final ReferenceServer reference;
    final ChatServer server;
    final WebServer web;

    LocalCluster(Path root) {
        this(root, false);
    }

    LocalCluster(Path root, boolean secure) {
        broker = BrokerCommand.start(
                "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", InteractionLog.inMemory("broker"), ProcessClock.system());
        proxy = ProxyCommand.start(
                "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", InteractionLog.inMemory("proxy"), ProcessClock.system());
        reference = ReferenceServer.start(
                "tcp://127.0.0.1:*",
                root.resolve("reference"),
                RegistryConfig.withHeartbeatTimeout(5_000),
                InteractionLog.inMemory("reference"),
                ProcessClock.system());
        server = ChatServer.start(ServerConfig.defaults(
                        "server-1",
                        broker.backendEndpoint(),
                        proxy.frontendEndpoint(),
                        reference.endpoint(),
                        root.resolve("server-1"),
                        0)
                .withAdvertisedAddress("tcp://127.0.0.1:0")
                .withSecure(secure));
        web = WebServer.start(new WebConfig(
                broker.frontendEndpoint(),
                proxy.backendEndpoint(),
                "127.0.0.1",
                0,
                List.of("http://127.0.0.1:" + server.adminPort()),
                root.resolve("web.jsonl"),
                2_000,
                secure));
    }

    @Override
    public void close() {
        web.close();
        server.close();
        reference.close();
        proxy.close();
        broker.close();
    }
}
