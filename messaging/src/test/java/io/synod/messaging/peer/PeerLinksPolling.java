package io.synod.messaging.peer;

import static org.awaitility.Awaitility.await;

import io.synod.protocol.Limits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the {@link StreamPeerLinks} tests share: their limits, and polling links from the test thread. */
final class PeerLinksPolling {
    /** Longest wait for what a test expects to arrive. */
    static final Duration WAIT = Duration.ofSeconds(10);
    /** Limits with room for a long frame, as the replication links are configured. */
    static final Limits LONG_FRAMES = new Limits(8 << 20, 16, 100_000, 64, 4_096, 128, 500);

    private PeerLinksPolling() {}

    /** Polls {@code receiver} (and {@code others}) until {@code count} messages arrived; returns them. */
    static List<PeerInbound> receive(int count, StreamPeerLinks receiver, StreamPeerLinks... others) {
        List<PeerInbound> got = new ArrayList<>();
        await().atMost(WAIT)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .until(() -> {
                    for (StreamPeerLinks other : others) {
                        other.poll(0);
                    }
                    got.addAll(receiver.poll(5));
                    return got.size() >= count;
                });
        return got;
    }

    /** The port of {@code links}' bound endpoint, for raw sockets. */
    static int port(StreamPeerLinks links) {
        String endpoint = links.boundEndpoint();
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }
}
