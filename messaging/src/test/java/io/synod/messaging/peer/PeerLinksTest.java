package io.synod.messaging.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.zmtp.SelectorParty;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.Services;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Two or three {@link PeerLinks} in the test thread, on loopback, sharing one selector as an event loop's links
 * do; foreign peers are JeroMQ sockets.
 */
class PeerLinksTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ZContext context = new ZContext();
    private final Selector selector = openSelector();
    private final List<PeerLinks> opened = new ArrayList<>();
    private final InteractionLog logA = InteractionLog.inMemory("a");

    @AfterEach
    void stop() throws IOException {
        opened.forEach(PeerLinks::close);
        selector.close();
        context.close();
    }

    private static Selector openSelector() {
        try {
            return Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One turn of the test's loop: waits up to {@code millis} on the selector, serves the keys, ticks the links. */
    private void turn(long millis) {
        try {
            selector.select(Math.max(1, millis));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long now = System.nanoTime();
        for (SelectionKey key : selector.selectedKeys()) {
            if (key.attachment() instanceof SelectorParty party) {
                party.handle(key, now);
            }
        }
        selector.selectedKeys().clear();
        opened.forEach(links -> links.tick(now));
    }

    private PeerLinks links(String name, String endpoint, PeerLinkConfig config, InteractionLog log) {
        PeerLinks links = new PeerLinks(selector, config, name, endpoint, ProcessClock.system(), log, Limits.DEFAULT);
        opened.add(links);
        return links;
    }

    private PeerLinks links(String name) {
        return links(name, "tcp://127.0.0.1:0", PeerLinkConfig.defaults(), InteractionLog.inMemory(name));
    }

    /** Turns the loop until {@code links} receives a message ({@code others}: the senders, turned alike). */
    private PeerInbound receive(PeerLinks links, PeerLinks... others) {
        List<PeerInbound> got = new ArrayList<>();
        await().atMost(WAIT).pollInSameThread().until(() -> {
            turn(10);
            got.addAll(links.receive());
            return !got.isEmpty();
        });
        return got.get(0);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void requestArrivesOnTheRouterWithTheSenderNameAndTheReplyComesBackOnTheSameConnection() {
        PeerLinks a = links("a", "tcp://127.0.0.1:0", PeerLinkConfig.defaults(), logA);
        PeerLinks b = links("b");
        a.setPeers(Map.of("b", b.boundEndpoint(), "a", a.boundEndpoint()));
        b.setPeers(Map.of("a", a.boundEndpoint()));
        assertThat(a.peers()).containsOnlyKeys("b");

        assertThat(a.send("b", new Envelope(Services.ELECTION, Map.of()))).isTrue();
        PeerInbound request = receive(b, a);
        assertThat(request.source()).isEqualTo("a");
        assertThat(request.arrivedOnAcceptedLink()).isTrue();
        assertThat(request.envelope().service()).isEqualTo("election");
        assertThat(request.envelope().data()).containsOnlyKeys("timestamp", "clock");
        long requestClock = (Long) request.envelope().data().get("clock");

        b.reply(request, new Envelope(Services.ELECTION, Map.of("election", "OK")));
        PeerInbound reply = receive(a, b);
        assertThat(reply.source()).isEqualTo("b");
        assertThat(reply.arrivedOnAcceptedLink()).isFalse();
        assertThat(reply.envelope().data()).containsEntry("election", "OK");
        assertThat((Long) reply.envelope().data().get("clock")).isGreaterThan(requestClock);
        assertThat(logA.recentLines()).anyMatch(l -> l.contains("\"dir\":\"out\"") && l.contains("\"peer\":\"b\""));
        assertThat(logA.recentLines()).anyMatch(l -> l.contains("\"dir\":\"in\"") && l.contains("\"election\":\"OK\""));
        assertThat(a.stats().sentCount()).isEqualTo(1);
        assertThat(a.stats().receivedCount()).isEqualTo(1);
    }

    @Test
    void queueToADownPeerIsBoundedDropsTheOldestAndExpires() throws InterruptedException {
        PeerLinkConfig small = new PeerLinkConfig(4, 200, 1_000, 256, 100, 1_000, Set.of());
        PeerLinks a = links("a", "tcp://127.0.0.1:0", small, logA);
        a.setPeers(Map.of("down", "tcp://127.0.0.1:" + freePort()));
        for (int i = 0; i < 10; i++) {
            a.send("down", new Envelope(Services.CLOCK, Map.of("request_id", (long) i)));
        }
        assertThat(a.stats().queuedMessages()).isEqualTo(4);
        assertThat(a.stats().droppedQueueFullCount()).isEqualTo(6);
        Thread.sleep(300);
        a.tick(System.nanoTime());
        assertThat(a.stats().queuedMessages()).isZero();
        assertThat(a.stats().droppedExpiredCount()).isEqualTo(4);
        assertThat(a.send("nobody", new Envelope(Services.CLOCK, Map.of()))).isFalse();
        assertThat(a.stats().droppedUnknownPeerCount()).isEqualTo(1);
    }

    @Test
    void messagesQueuedWhileThePeerIsDownAreDeliveredWhenItComesUp() {
        String endpoint = "tcp://127.0.0.1:" + freePort();
        PeerLinks a = links("a");
        a.setPeers(Map.of("b", endpoint));
        a.send("b", new Envelope(CoordinationCodec.MEMBERS, Map.of("members", List.of())));
        assertThat(a.stats().queuedMessages()).isEqualTo(1);
        PeerLinks b = links("b", endpoint, PeerLinkConfig.defaults(), InteractionLog.inMemory("b"));
        PeerInbound got = receive(b, a);
        assertThat(got.source()).isEqualTo("a");
        assertThat(got.envelope().service()).isEqualTo(CoordinationCodec.MEMBERS);
    }

    @Test
    void aForeignReqPeerIsAnsweredOnItsConnection() {
        PeerLinks a = links("a");
        ZMQ.Socket req = context.createSocket(SocketType.REQ);
        req.setLinger(0);
        req.setReceiveTimeOut(10_000);
        req.connect(a.boundEndpoint());
        req.send(new Envelope(Services.CLOCK, Map.of("timestamp", 1.0, "clock", 7L)).encode());
        PeerInbound request = receive(a);
        assertThat(request.arrivedOnAcceptedLink()).isTrue();
        assertThat(a.receive()).isEmpty();
        a.reply(request, new Envelope(Services.CLOCK, Map.of("time", 12.5)));
        Envelope reply = Envelope.decode(req.recv(), Limits.DEFAULT);
        assertThat(reply.data()).containsEntry("time", 12.5).containsKeys("timestamp", "clock");
        assertThat((Long) reply.data().get("clock")).isGreaterThan(7L);
    }

    @Test
    void changingAPeerAddressReconnectsAndRemovingItClosesTheLink() {
        PeerLinks a = links("a");
        PeerLinks b1 = links("b");
        PeerLinks b2 = links("b");
        a.setPeers(Map.of("b", b1.boundEndpoint()));
        a.send("b", new Envelope(Services.ELECTION, Map.of()));
        assertThat(receive(b1, a).source()).isEqualTo("a");
        a.setPeers(Map.of("b", b2.boundEndpoint()));
        a.send("b", new Envelope(Services.ELECTION, Map.of()));
        assertThat(receive(b2, a).source()).isEqualTo("a");
        a.setPeers(Map.of());
        assertThat(a.peers()).isEmpty();
        assertThat(a.send("b", new Envelope(Services.ELECTION, Map.of()))).isFalse();
    }

    @Test
    void heartbeatsAreNotLoggedOneByOne() {
        PeerLinks a = links("a", "tcp://127.0.0.1:0", PeerLinkConfig.defaults(), logA);
        PeerLinks b = links("b");
        a.setPeers(Map.of("b", b.boundEndpoint()));
        a.send("b", new Envelope(CoordinationCodec.COORDINATOR_HEARTBEAT, Map.of("coordinator", "a")));
        assertThat(receive(b, a).envelope().service()).isEqualTo(CoordinationCodec.COORDINATOR_HEARTBEAT);
        assertThat(logA.recentLines()).noneMatch(l -> l.contains("coordinator_heartbeat"));
    }
}
