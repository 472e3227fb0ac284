package io.synod.messaging.peer;

import static io.synod.messaging.peer.PeerLinksPolling.LONG_FRAMES;
import static io.synod.messaging.peer.PeerLinksPolling.port;
import static io.synod.messaging.peer.PeerLinksPolling.receive;
import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.zmtp.CurveCrypto;
import io.synod.protocol.Envelope;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replication links in secure mode ({@link StreamPeerLinks#secure}): two servers with the cluster's key
 * exchange envelopes (long ones too) in order and answer requests; a process with another key, or speaking plain
 * frames, gets nothing read.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamPeerLinksCurveTest {
    private static final Duration SILENCE = Duration.ofMillis(1_000);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<StreamPeerLinks> opened = new ArrayList<>();

    @AfterEach
    void stop() {
        opened.forEach(StreamPeerLinks::close);
    }

    private StreamPeerLinks links(String name, CurveCrypto.KeyPair keys) {
        StreamPeerLinks links = new StreamPeerLinks(
                PeerLinkConfig.defaults(),
                name,
                "tcp://127.0.0.1:0",
                ProcessClock.system(),
                InteractionLog.inMemory(name),
                LONG_FRAMES);
        opened.add(links);
        return keys == null ? links : links.secure(keys);
    }

    private static List<PeerInbound> quiet(StreamPeerLinks receiver, StreamPeerLinks... others) {
        List<PeerInbound> got = new ArrayList<>();
        long end = System.nanoTime() + SILENCE.toNanos();
        while (System.nanoTime() < end) {
            for (StreamPeerLinks other : others) {
                other.poll(0);
            }
            got.addAll(receiver.poll(5));
        }
        return got;
    }

    @Test
    void serversWithTheKeyExchangeEnvelopesInOrderAndAnswerRequests() {
        CurveCrypto.KeyPair keys = CurveCrypto.generate(RANDOM);
        StreamPeerLinks a = links("a", keys);
        StreamPeerLinks b = links("b", keys);
        a.setPeers(Map.of("b", b.boundEndpoint()));
        b.setPeers(Map.of("a", a.boundEndpoint()));
        int count = 200; // within the peer queue (256), all wait for the handshake
        String large = "x".repeat(1 << 20);
        for (int i = 0; i < count; i++) {
            a.send("b", new Envelope("accept", Map.of("n", (long) i, "pad", i == 7 ? large : "")));
        }
        List<PeerInbound> got = receive(count, b, a);
        assertThat(got).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(got.get(i).source()).isEqualTo("a");
            assertThat(((Number) got.get(i).envelope().data().get("n")).longValue())
                    .isEqualTo(i);
        }
        assertThat(got.get(7).envelope().data().get("pad")).isEqualTo(large);

        b.reply(got.get(0), new Envelope("accepted", Map.of("n", 0L)));
        List<PeerInbound> answers = receive(1, a, b);
        assertThat(answers.get(0).envelope().service()).isEqualTo("accepted");
    }

    @Test
    void aProcessWithAnotherKeyOrPlainFramesGetsNothingRead() throws IOException {
        CurveCrypto.KeyPair keys = CurveCrypto.generate(RANDOM);
        StreamPeerLinks server = links("server", keys);
        StreamPeerLinks intruder = links("intruder", CurveCrypto.generate(RANDOM));
        StreamPeerLinks plain = links("plain", null);
        intruder.setPeers(Map.of("server", server.boundEndpoint()));
        plain.setPeers(Map.of("server", server.boundEndpoint()));
        for (int i = 0; i < 5; i++) {
            intruder.send("server", new Envelope("accept", Map.of("n", (long) i)));
            plain.send("server", new Envelope("accept", Map.of("n", (long) i)));
        }
        // a raw socket with a plain hello and an envelope, as a tool without the key would send
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port(server))) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] hello = "SYNODPL1raw".getBytes(StandardCharsets.US_ASCII);
            out.writeInt(hello.length);
            out.write(hello);
            byte[] envelope = new Envelope("remove_server", Map.of("name", "server")).encode();
            out.writeInt(envelope.length);
            out.write(envelope);
            out.flush();
            assertThat(quiet(server, intruder, plain)).isEmpty();
        }
        assertThat(server.stats().invalidReceivedCount()).isPositive();
    }
}
