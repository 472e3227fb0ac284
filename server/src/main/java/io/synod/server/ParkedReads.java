package io.synod.server;

import io.synod.core.ChatStateMachine;
import io.synod.messaging.ZmqMessages;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Reads a server cannot answer yet, waiting on its loop (which serves on meanwhile): one whose {@code min_index} this
 * server has not applied yet, and a search while this server's index is being rebuilt from the store (the first
 * search on a server without an index starts that rebuild: {@link SearchService#answerableNow}). Each turn the loop
 * answers those it can ({@link #answerDue}) and refuses, with {@code erro}, those that waited too long.
 *
 * <p>Thread-safety: not thread-safe; owned by the event loop.
 */
final class ParkedReads {
    /** Reads waiting here; one more is refused at once. */
    static final int PARKED_READS_MAX = 4_096;
    /** How long a read waits for its {@code min_index} before an {@code erro} (the client may ask another server). */
    static final long PARKED_READ_WAIT_MILLIS = 2_000;

    private record Parked(ZmqMessages.Routed routed, ChatService.DeferredRead read, long sinceNanos) {}

    private final ArrayDeque<Parked> reads = new ArrayDeque<>();
    private final ChatStateMachine machine;
    private final ChatService service;

    ParkedReads(ChatStateMachine machine, ChatService service) {
        this.machine = machine;
        this.service = service;
    }

    /**
     * Answers {@code read} through {@code reply} if it can be answered now, else parks it from {@code nowNanos} on, to
     * be answered by {@link #answerDue}; with {@link #PARKED_READS_MAX} waiting, refuses it at once.
     */
    void park(
            ZmqMessages.Routed routed,
            ChatService.DeferredRead read,
            long nowNanos,
            BiConsumer<ZmqMessages.Routed, ChatService.Handled> reply) {
        ChatService.Handled now = due(read, 0, reads.size() >= PARKED_READS_MAX);
        if (now != null) {
            reply.accept(routed, now);
        } else {
            reads.addLast(new Parked(routed, read, nowNanos));
        }
    }

    /** Answers through {@code reply} the reads that can be answered at {@code nowNanos}, or waited too long. */
    void answerDue(long nowNanos, BiConsumer<ZmqMessages.Routed, ChatService.Handled> reply) {
        for (Iterator<Parked> it = reads.iterator(); it.hasNext(); ) {
            Parked parked = it.next();
            ChatService.Handled answer =
                    due(parked.read(), TimeUnit.NANOSECONDS.toMillis(nowNanos - parked.sinceNanos()), false);
            if (answer != null) {
                reply.accept(parked.routed(), answer);
                it.remove();
            }
        }
    }

    /**
     * The reply to {@code read} if it is due: its answer once its {@code min_index} is applied (and, for a search, the
     * index built); an {@code erro} once it waited {@link #PARKED_READ_WAIT_MILLIS} for its {@code min_index}, or
     * {@link SearchService#SEARCH_INDEX_BUILD_WAIT_MILLIS} in all for a search's index (or at once if {@code
     * refused}: no room to wait). Null while it waits.
     */
    private ChatService.Handled due(ChatService.DeferredRead read, long waitedMillis, boolean refused) {
        if (read.minIndex() <= machine.appliedIndex()) { // only a search still waits: for its index
            boolean expired = refused || waitedMillis >= SearchService.SEARCH_INDEX_BUILD_WAIT_MILLIS;
            // an expired search is answered by the index as it is: erro, while it is rebuilt
            return service.search().answerableNow(read.request()) || expired ? service.answerRead(read) : null;
        }
        return refused || waitedMillis >= PARKED_READ_WAIT_MILLIS ? service.expireRead(read, waitedMillis) : null;
    }
}
