package io.synod.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.BrokerCommand;
import io.synod.messaging.Forwarder;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.ProxyCommand;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The client against the real broker (ROUTER/DEALER) and proxy (XSUB/XPUB) of the messaging
 * module, with a server written to the statement's letter behind them: a REP socket that echoes
 * no request id, lists channels under {@code users}, and publishes payloads without {@code seq}.
 */
class ThroughBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private Forwarder broker;
    private Forwarder proxy;
    private StatementServer server;
    private SynodClient client;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        InteractionLog log = InteractionLog.inMemory("infra");
        broker = BrokerCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
        proxy = ProxyCommand.start("tcp://127.0.0.1:*", "tcp://127.0.0.1:*", log, ProcessClock.system());
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        proxy.close();
        broker.close();
    }

    private void connect() {
        client = new SynodClient(
                ClientConfig.defaults(broker.frontendEndpoint(), proxy.backendEndpoint())
                        .withRequestTimeoutMillis(1_000),
                ProcessClock.system(),
                InteractionLog.inMemory("client"),
                deliveries::add);
    }

    @Test
    void aStatementServerBehindTheBrokerServesEveryTypedRequest() {
        server = new StatementServer(broker.backendEndpoint(), proxy.frontendEndpoint(), false);
        connect();
        assertThat(client.login("ana").ok()).isTrue();
        assertThat(client.createChannel("general").ok()).isTrue();
        assertThat(client.channels().names()).containsExactly("general");
        assertThat(client.users().names()).containsExactly("ana");
        client.subscribe("general", false);

        // Slow joiner: publish until the subscription has reached the server's PUB.
        await().atMost(WAIT).until(() -> client.publish("general", "hello").ok() && !deliveries.isEmpty());

        Delivery first = deliveries.get(0);
        assertThat(first.seq()).isZero();
        assertThat(first.topic()).isEqualTo("general");
        assertThat(first.publication().toPayload()).containsEntry("user", "ana").containsEntry("message", "hello");
    }

    @Test
    void manyRequestsInFlightThroughTheBrokerWithAnEchoingServer() {
        server = new StatementServer(broker.backendEndpoint(), proxy.frontendEndpoint(), true);
        connect();
        client.login("ana");
        client.createChannel("general");
        List<CompletableFuture<ClientReply.Status>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            futures.add(client.publishAsync("general", "m" + i));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        assertThat(futures).allMatch(f -> f.join().ok());
        assertThat(server.published).hasSize(40);
    }

    /**
     * Two real brokers, the client connected to both: with one of them stopped, every request goes on being
     * answered through the other (the requests in flight on the stopped one are sent again through it).
     */
    @Test
    void withTwoBrokersRequestsAreAnsweredThroughTheOtherWhenOneStops() {
        Forwarder second = BrokerCommand.start(
                "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", InteractionLog.inMemory("b2"), ProcessClock.system());
        try {
            server = new StatementServer(
                    broker.backendEndpoint() + "," + second.backendEndpoint(), proxy.frontendEndpoint(), true);
            client = new SynodClient(
                    ClientConfig.defaults(
                                    broker.frontendEndpoint() + "," + second.frontendEndpoint(),
                                    proxy.backendEndpoint())
                            .withRequestTimeoutMillis(60_000)
                            .withRequestRetriesMax(0),
                    ProcessClock.system(),
                    InteractionLog.inMemory("c"),
                    deliveries::add);
            assertThat(client.login("ana").ok()).isTrue();
            assertThat(client.createChannel("general").ok()).isTrue();
            List<CompletableFuture<ClientReply.Status>> before = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                before.add(client.publishAsync("general", "before-" + i));
            }
            broker.close();
            for (int i = 0; i < 20; i++) {
                assertThat(client.publishAsync("general", "after-" + i)
                                .orTimeout(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                                .join()
                                .ok())
                        .isTrue();
            }
            assertThat(before)
                    .allSatisfy(f -> assertThat(f.orTimeout(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                                    .join()
                                    .ok())
                            .isTrue());
        } finally {
            second.close();
        }
    }

    /** A server as the statement describes it (REP, statement replies), optionally echoing request_id. */
    private static final class StatementServer implements AutoCloseable {
        private final ZContext context = new ZContext(1);
        private final Thread thread;
        private final boolean echo;
        private final List<String> users = new CopyOnWriteArrayList<>();
        private final List<String> channels = new CopyOnWriteArrayList<>();
        final List<String> published = new CopyOnWriteArrayList<>();
        private volatile boolean running = true;

        StatementServer(String brokerBackend, String proxyFrontend, boolean echo) {
            this.echo = echo;
            ZMQ.Socket rep = context.createSocket(SocketType.REP);
            rep.setLinger(0);
            rep.setReceiveTimeOut(20);
            for (String backend : brokerBackend.split(",")) {
                rep.connect(backend);
            }
            ZMQ.Socket pub = context.createSocket(SocketType.PUB);
            pub.setLinger(0);
            pub.connect(proxyFrontend);
            thread = new Thread(() -> serve(rep, pub), "statement-server");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve(ZMQ.Socket rep, ZMQ.Socket pub) {
            try {
                while (running) {
                    byte[] frame = rep.recv();
                    if (frame != null) {
                        Envelope request = Envelope.decode(frame, Limits.DEFAULT);
                        rep.send(answer(request, pub).encode());
                    }
                }
            } catch (RuntimeException e) {
                if (running) {
                    throw e;
                }
            }
        }

        private Envelope answer(Envelope request, ZMQ.Socket pub) {
            Map<String, Object> in = request.data();
            Map<String, Object> out = new LinkedHashMap<>();
            switch (request.service()) {
                case "login" -> {
                    users.add((String) in.get("user"));
                    out.put("status", "sucesso");
                }
                case "users" -> out.put("users", List.copyOf(users));
                case "channel" -> {
                    channels.add((String) in.get("channel"));
                    out.put("status", "sucesso");
                }
                case "channels" -> out.put("users", List.copyOf(channels));
                case "publish" -> {
                    published.add((String) in.get("message"));
                    pub.sendMore(((String) in.get("channel")).getBytes(StandardCharsets.UTF_8));
                    pub.send(MsgPack.encode(Map.of(
                            "user", in.get("user"), "message", in.get("message"), "timestamp", 1.0, "clock", 7L)));
                    out.put("status", "OK");
                }
                default -> {
                    out.put("status", "erro");
                    out.put("description", "unknown service");
                }
            }
            out.put("timestamp", 1_700_000_000.0);
            out.put("clock", 3L);
            if (echo && in.containsKey("request_id")) {
                out.put("request_id", in.get("request_id"));
            }
            return new Envelope(request.service(), out);
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            context.close();
        }
    }
}
