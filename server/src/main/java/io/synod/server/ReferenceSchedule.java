package io.synod.server;

import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Request;
import io.synod.protocol.RequestMeta;
import io.synod.protocol.Services;
import io.synod.server.coordination.ReferenceClient;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's traffic with the reference, over its one {@link ReferenceClient}: {@code rank} at startup
 * (blocking and bounded: the server serves whether or not the reference answers), then, for a server without
 * coordination, {@code heartbeat} every {@code heartbeatIntervalMillis} ({@code rank} again while the rank is
 * unknown) and {@code list} every {@code listIntervalMillis}. With coordination, the coordination drives the same
 * client instead ({@link #client()}; its heartbeats carry the peer address) and this keeps only the startup rank.
 *
 * <p>Not thread-safe: the event loop's (the starting thread's before the loop starts).
 */
final class ReferenceSchedule implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceSchedule.class);

    private final ServerMetrics metrics;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final ReferenceClient client;
    private ServerConfig config;
    private long rank;
    private List<Object> list = List.of();
    private long nextHeartbeatNanos;
    private long nextListNanos;

    ReferenceSchedule(
            ServerConfig config, Selector selector, ProcessClock clock, InteractionLog log, ServerMetrics metrics) {
        this.config = config;
        this.clock = clock;
        this.log = log;
        this.metrics = metrics;
        this.client = new ReferenceClient(
                config.referenceEndpoint(), selector, config.referenceTimeoutMillis(), clock, log, config.limits());
        this.client.secure(config.linkSecurity());
        long now = System.nanoTime();
        this.nextHeartbeatNanos = now + TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMillis());
        this.nextListNanos = now;
    }

    ReferenceClient client() {
        return client;
    }

    /** The rank the reference gave, 0 while unknown. */
    long rank() {
        return rank;
    }

    /** The reference's last {@code list}. */
    List<Object> list() {
        return list;
    }

    /**
     * Asks for the rank ({@code startupRankAttempts} attempts, each up to the timeout) before the loop runs.
     *
     * @param advertised the configuration with the address peers reach this server at (sent with {@code rank})
     */
    void askRankAtStartup(ServerConfig advertised) {
        this.config = Objects.requireNonNull(advertised, "advertised");
        if (config.startupRankAttempts() <= 0) {
            return;
        }
        Envelope reply = ReferenceClient.call(
                config.referenceEndpoint(),
                config.referenceTimeoutMillis(),
                clock,
                log,
                config.limits(),
                request(Services.RANK),
                config.startupRankAttempts());
        client.assumeReachable(reply != null);
        if (reply != null) {
            onReplyIsolated(reply);
        } else {
            LOG.warn(
                    "{}: the reference at {} did not answer 'rank'; serving with rank 0 and retrying",
                    config.name(),
                    config.referenceEndpoint());
        }
    }

    /** How long the loop may wait before {@link #turn} has work without input: a request due, or a reply's deadline. */
    long waitMillis(long nowNanos) {
        long until = client.isIdle()
                ? Math.min(nextHeartbeatNanos, nextListNanos) - nowNanos
                : client.nanosUntilDue(nowNanos);
        return TimeUnit.NANOSECONDS.toMillis(Math.max(0, until) + 999_999);
    }

    /**
     * Takes the reply if one arrived and sends the request that is due (a server without coordination).
     *
     * @return whether a reply arrived (the status may have changed)
     */
    boolean turn(long nowNanos) {
        Envelope reply = client.poll(nowNanos);
        if (reply != null) {
            onReplyIsolated(reply);
        }
        if (client.isIdle() && nowNanos - nextHeartbeatNanos >= 0) {
            client.send(request(rank == 0 ? Services.RANK : Services.HEARTBEAT), true, nowNanos);
            nextHeartbeatNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMillis());
        } else if (client.isIdle() && nowNanos - nextListNanos >= 0) {
            client.send(request(Services.LIST), true, nowNanos);
            nextListNanos = nowNanos + TimeUnit.MILLISECONDS.toNanos(config.listIntervalMillis());
        }
        return reply != null;
    }

    private Envelope request(String service) {
        return switch (service) {
            case Services.RANK ->
                new Request.Rank(RequestMeta.NONE, config.name(), config.advertisedAddress()).toEnvelope();
            case Services.HEARTBEAT ->
                new Request.Heartbeat(RequestMeta.NONE, config.name(), config.advertisedAddress()).toEnvelope();
            default -> new Request.ListServers(RequestMeta.NONE).toEnvelope();
        };
    }

    /** The reference may be anyone's (a foreign or broken one): nothing it answers may stop the loop. */
    private void onReplyIsolated(Envelope reply) {
        try {
            onReply(reply);
        } catch (RuntimeException e) {
            metrics.failed();
            LOG.warn("{}: the reference's '{}' reply failed and was dropped", config.name(), reply.service(), e);
        }
    }

    private void onReply(Envelope reply) {
        switch (reply.service()) {
            case Services.RANK -> {
                if (reply.data().get("rank") instanceof Long r && r > 0 && r != rank) {
                    LOG.info("{}: rank {}", config.name(), r);
                    rank = r;
                    log.event("rank", clock.lamport().current(), clock.nowSeconds(), Map.of("rank", r));
                }
            }
            case Services.LIST -> {
                list = reply.data().get("list") instanceof List<?> l
                        ? l.stream()
                                .<Object>map(item -> item)
                                .filter(Objects::nonNull)
                                .toList()
                        : List.of();
            }
            default -> {
                // heartbeat acknowledgements and error replies carry nothing to keep
            }
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
