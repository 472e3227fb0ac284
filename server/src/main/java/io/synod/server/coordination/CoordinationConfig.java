package io.synod.server.coordination;

import io.synod.clock.BerkeleyConfig;
import io.synod.clock.BullyElectionConfig;
import io.synod.messaging.EndpointList;
import io.synod.messaging.peer.PeerLinkConfig;
import io.synod.protocol.Limits;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link CoordinationService} needs, validated at construction.
 *
 * <p>Thread-safety: immutable.
 *
 * @param selfName this server's name (its rank key at the reference)
 * @param advertisedEndpoint the peer endpoint to bind (tcp://host:port; port 0 = any free port)
 * @param referenceEndpoint the reference's REP endpoint
 * @param proxyEndpoint the proxy's XSUB endpoint, or several separated by commas: the announcements on topic {@code
 *     servers} go to each, as the server's other publications do
 * @param tickIntervalMillis one tick of the cores (every tick default of the cores assumes 10 ms)
 * @param ticksPerWakeupMax most ticks run in one loop turn after a stall; the rest are skipped, so
 *     a paused process does not fire every timeout at once before reading its messages
 * @param referenceListIntervalMillis how often the reference gets a {@code heartbeat} and is asked for {@code list}
 * @param referenceTimeoutMillis how long one reference request may take (Lazy Pirate: the REQ
 *     socket is then recreated)
 * @param referenceFreshMillis while the last {@code list} is younger than this, it is the
 *     membership; afterwards the last list is kept and merged with what peers disseminate
 * @param membersIntervalMillis how often this server sends its membership view to every peer
 * @param gossipMemberAgeMaxMillis a member learnt only from peers is forgotten after this long
 *     without being mentioned again
 * @param election the bully election's timeouts in ticks
 * @param berkeley the clock synchronisation's limits in ticks
 * @param peerLinks the peer links' queues and socket limits
 * @param limits the wire limits for decoding
 */
public record CoordinationConfig(
        String selfName,
        String advertisedEndpoint,
        String referenceEndpoint,
        String proxyEndpoint,
        long tickIntervalMillis,
        int ticksPerWakeupMax,
        long referenceListIntervalMillis,
        long referenceTimeoutMillis,
        long referenceFreshMillis,
        long membersIntervalMillis,
        long gossipMemberAgeMaxMillis,
        BullyElectionConfig election,
        BerkeleyConfig berkeley,
        PeerLinkConfig peerLinks,
        Limits limits) {

    /** Validates the configuration. */
    public CoordinationConfig {
        Objects.requireNonNull(selfName, "selfName");
        Objects.requireNonNull(advertisedEndpoint, "advertisedEndpoint");
        Objects.requireNonNull(referenceEndpoint, "referenceEndpoint");
        EndpointList.parse(proxyEndpoint, "proxyEndpoint");
        Objects.requireNonNull(election, "election");
        Objects.requireNonNull(berkeley, "berkeley");
        Objects.requireNonNull(peerLinks, "peerLinks");
        Objects.requireNonNull(limits, "limits");
        require(tickIntervalMillis >= 1 && tickIntervalMillis <= 1_000, "tickIntervalMillis must be in 1..1000");
        require(ticksPerWakeupMax >= 1, "ticksPerWakeupMax must be >= 1");
        require(referenceListIntervalMillis >= 1, "referenceListIntervalMillis must be >= 1");
        require(referenceTimeoutMillis >= 1, "referenceTimeoutMillis must be >= 1");
        require(
                referenceFreshMillis >= referenceListIntervalMillis,
                "referenceFreshMillis must be >= referenceListIntervalMillis");
        require(membersIntervalMillis >= 1, "membersIntervalMillis must be >= 1");
        require(
                gossipMemberAgeMaxMillis >= membersIntervalMillis,
                "gossipMemberAgeMaxMillis must be >= membersIntervalMillis");
    }

    /** @return the proxies' XSUB endpoints, in the order given */
    public List<String> proxyEndpoints() {
        return EndpointList.parse(proxyEndpoint, "proxyEndpoint");
    }

    /**
     * The production defaults: 10 ms ticks (at most 10 per wake-up), {@code list} every 1 s with a
     * 1 s timeout, fresh for 3 s, membership sent to peers every 1 s and remembered 10 s, the cores'
     * defaults (a Berkeley round every 5 s).
     */
    public static CoordinationConfig defaults(
            String selfName, String advertisedEndpoint, String referenceEndpoint, String proxyEndpoint) {
        return new CoordinationConfig(
                selfName,
                advertisedEndpoint,
                referenceEndpoint,
                proxyEndpoint,
                10,
                10,
                1_000,
                1_000,
                3_000,
                1_000,
                10_000,
                BullyElectionConfig.defaults(),
                BerkeleyConfig.defaults(),
                PeerLinkConfig.defaults(),
                Limits.DEFAULT);
    }

    /**
     * The same with a Berkeley round every {@code intervalMillis} (tests use a short one); the
     * reply timeout is shortened to half the interval if it would not fit.
     *
     * @throws IllegalArgumentException if the interval is shorter than two ticks
     */
    public CoordinationConfig withClockSyncIntervalMillis(long intervalMillis) {
        long ticks = intervalMillis / tickIntervalMillis;
        require(
                ticks >= 2 && ticks <= 10_000_000,
                "the clock sync interval must be 2 ticks to 10^7 ticks, was " + intervalMillis + " ms");
        int roundTicks = (int) ticks;
        BerkeleyConfig b = berkeley;
        BerkeleyConfig changed = new BerkeleyConfig(
                roundTicks,
                Math.min(b.replyTimeoutTicks(), roundTicks / 2),
                b.roundTripMaxMillis(),
                b.outlierThresholdMillis(),
                b.clockRequestEveryMessages(),
                b.clockReplyTimeoutTicks(),
                b.serversMax(),
                b.dampedCorrectionMaxMillis());
        return new CoordinationConfig(
                selfName,
                advertisedEndpoint,
                referenceEndpoint,
                proxyEndpoint,
                tickIntervalMillis,
                ticksPerWakeupMax,
                referenceListIntervalMillis,
                referenceTimeoutMillis,
                referenceFreshMillis,
                membersIntervalMillis,
                gossipMemberAgeMaxMillis,
                election,
                changed,
                peerLinks,
                limits);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
