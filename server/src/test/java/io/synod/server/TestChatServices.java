package io.synod.server;

import io.synod.core.ChatStateMachine;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Limits;

/**
 * The request handler as the tests build it without sockets: server {@code s1}, the default limits and a fixed epoch,
 * so server-given client ids are the same in every run; the variants take only what a test reads or drives.
 */
final class TestChatServices {
    static final String SERVER = "s1";
    /** "rs" in base 36: server-given client ids read {@code ~s1/rs/<connection>}. */
    static final long EPOCH = 1_000;

    private TestChatServices() {}

    /** With an interaction log the test does not read, and no rate limits. */
    static ChatService of(ChatStateMachine machine) {
        return of(machine, InteractionLog.inMemory(SERVER));
    }

    /** With the test's interaction log, to read what was logged, and no rate limits. */
    static ChatService of(ChatStateMachine machine, InteractionLog log) {
        return new ChatService(
                machine,
                ProcessClock.system(),
                log,
                new ServerMetrics(SERVER),
                Limits.DEFAULT,
                ChatService.SERVER_ID_PEERS_MAX,
                SERVER,
                EPOCH);
    }

    /** Remembering server-given ids for {@code serverIdPeersMax} broker connections, in a run of {@code epoch}. */
    static ChatService of(ChatStateMachine machine, int serverIdPeersMax, long epoch) {
        return new ChatService(
                machine,
                ProcessClock.system(),
                InteractionLog.inMemory(SERVER),
                new ServerMetrics(SERVER),
                Limits.DEFAULT,
                serverIdPeersMax,
                SERVER,
                epoch);
    }

    /** With the test's log and metrics, to read the refusals, and a rate limiter whose clock the test drives. */
    static ChatService of(
            ChatStateMachine machine, InteractionLog log, ServerMetrics metrics, RateLimiter rateLimiter) {
        return new ChatService(
                machine,
                ProcessClock.system(),
                log,
                metrics,
                Limits.DEFAULT,
                ChatService.SERVER_ID_PEERS_MAX,
                SERVER,
                EPOCH,
                rateLimiter);
    }
}
