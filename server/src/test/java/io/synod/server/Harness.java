package io.synod.server;

import io.synod.messaging.BrokerCommand;
import io.synod.messaging.Forwarder;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ProxyCommand;
import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.registry.RegistryConfig;
import io.synod.server.reference.ReferenceServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Broker, proxy, reference and servers in-process on free loopback ports ({@code tcp://127.0.0.1:*}),
 * plus raw JeroMQ client sockets. Everything is closed by {@link #close()}.
 */
final class Harness implements AutoCloseable {

    final Path root;
    final Forwarder broker;
    final Forwarder proxy;
    ReferenceServer reference;
    final ZContext clientContext = new ZContext();
    final InteractionLog brokerLog = InteractionLog.inMemory("broker");
    private final List<ChatServer> servers = new ArrayList<>();

    Harness(Path root) {
        this.root = root;
        this.broker = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", brokerLog, ProcessClock.system());
        this.proxy = ProxyCommand.start(
                "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", InteractionLog.inMemory("proxy"), ProcessClock.system());
        startReference("tcp://127.0.0.1:*");
    }

    void startReference(String bind) {
        reference = ReferenceServer.start(
                bind,
                root.resolve("reference"),
                RegistryConfig.withHeartbeatTimeout(5_000),
                InteractionLog.inMemory("reference"),
                ProcessClock.system());
    }

    ServerConfig config(String name) {
        return ServerConfig.defaults(
                        name,
                        broker.backendEndpoint(),
                        proxy.frontendEndpoint(),
                        reference.endpoint(),
                        root.resolve(name),
                        0)
                .withAdvertisedAddress("tcp://127.0.0.1:0");
    }

    ChatServer startServer(ServerConfig config) {
        ChatServer server = ChatServer.start(config);
        servers.add(server);
        return server;
    }

    ChatServer startServer(String name) {
        return startServer(config(name));
    }

    /** A REQ client connected to the broker's frontend. */
    RawReq client() {
        return new RawReq(clientContext, broker.frontendEndpoint());
    }

    /** A SUB socket on the proxy's XPUB, subscribed to {@code topics}. */
    ZMQ.Socket subscriber(String... topics) {
        ZMQ.Socket socket = clientContext.createSocket(SocketType.SUB);
        socket.setLinger(0);
        socket.setReceiveTimeOut(200);
        socket.connect(proxy.backendEndpoint());
        for (String topic : topics) {
            socket.subscribe(topic.getBytes(StandardCharsets.UTF_8));
        }
        return socket;
    }

    /** A loopback endpoint whose port was free a moment ago (nothing listens there unless the caller binds it). */
    static String freeEndpoint() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "tcp://127.0.0.1:" + socket.getLocalPort();
        }
    }

    static Envelope callRaw(RawReq client, byte[] frame) {
        return client.callRaw(frame);
    }

    static Envelope call(RawReq client, String service, Map<String, Object> data) {
        return client.call(service, data);
    }

    static ZmqTestSockets.ReceivedPublication nextPublication(ZMQ.Socket sub) {
        return ZmqTestSockets.receivePublication(sub, Limits.DEFAULT);
    }

    void stopServers() {
        servers.forEach(ChatServer::close);
        servers.clear();
    }

    @Override
    public void close() {
        stopServers();
        clientContext.close();
        if (reference != null) {
            reference.close();
        }
        proxy.close();
        broker.close();
    }
}
