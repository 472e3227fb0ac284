package io.synod.consensus;

import java.util.List;

/**
 * Carries out a {@link Ready} in the order its contract states, through a driver's {@link Effects}, then advances the
 * replica. The one place that order is written: the server's driver, the simulator and the consensus tests all run
 * their Readies here, so what the simulator checks is what the server does. A fault injector stops a Ready between
 * two steps through {@link Effects#proceed}.
 *
 * <p>Stateless; thread-safe as far as the replica and effects it is given are (one owner thread).
 */
public final class ReadyRunner {
    /** The points between steps where an injector may stop a Ready, as a crash there would. */
    public enum Stop {
        /** The leader's Accepts have left (if the Ready had any); nothing of the Ready is persisted. */
        BEFORE_PERSIST,
        /**
         * The early entries are applied (and may have been answered) and their decisions written unsynced; the rest
         * of the records, the votes among them, are not durable. Reached only when the Ready applies early.
         */
        AFTER_EARLY_APPLY,
        /** Every record is persisted and every message sent; nothing installed, nothing applied but early entries. */
        AFTER_SEND
    }

    /** What a driver does for each step; the runner calls these in the contract's order. */
    public interface Effects {
        /**
         * Whether this driver may apply, and answer, decided entries before the fsync of their Ready's votes. When it
         * may, a Ready whose {@link Ready#earlyApplySparesAnFsync()} does so; when not, every apply follows the
         * persist.
         */
        boolean appliesEarly();

        /**
         * Sends {@code messages} (best effort). {@code aheadOfPersist} is true for a leader's Accepts sent before
         * records that are yet to be persisted: a driver that buffers its writes pushes them out now, so that the
         * followers' fsyncs overlap its own.
         */
        void send(List<PaxosEnvelope> messages, boolean aheadOfPersist);

        /**
         * Makes {@code records} durable, in order (possibly none). A batch of decisions only need not be synced
         * ({@link DurableLog}): the early decisions are such a batch.
         */
        void persist(List<DurableRecord> records);

        /** Replaces the application state with {@code snapshot}'s. */
        void install(Snapshot snapshot);

        /**
         * Applies {@code entries} (decided, contiguous, in order; possibly none) to the state machine. {@code early}
         * entries are applied before the votes of their Ready are durable, and may be answered now; the call with
         * {@code early} false comes once per Ready that is not stopped, after the install, with the rest.
         */
        void apply(List<LogEntry> entries, boolean early);

        /**
         * The Ready asked for a snapshot of the state, which now reflects exactly {@code slot}: hand it to {@link
         * PaxosReplica#snapshotTaken} now or later (the replica is advanced already).
         */
        void snapshotRequested(long slot);

        /**
         * Whether to go on past {@code stop} of {@code ready}: false stops it there, as a crash would (the replica is
         * not advanced, and must be dropped). For fault injection; a driver goes on.
         */
        default boolean proceed(Stop stop, Ready ready) {
            return true;
        }
    }

    private ReadyRunner() {}

    /**
     * Carries out every Ready of {@code replica} until it has none.
     *
     * @return false when {@link Effects#proceed} stopped one (the replica must then be dropped)
     */
    public static boolean drain(PaxosReplica replica, Effects effects) {
        while (replica.hasReady()) {
            if (!run(replica, replica.ready(), effects)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Carries out {@code ready}, just taken from {@code replica}: the early Accepts, the early applies (when the
     * effects apply early and it spares an fsync), the records, the other messages, the install, the applies,
     * {@link PaxosReplica#advance}, the snapshot request. See {@link Ready} for why this order.
     *
     * @return false when {@link Effects#proceed} stopped it (the replica must then be dropped)
     */
    public static boolean run(PaxosReplica replica, Ready ready, Effects effects) {
        List<PaxosEnvelope> accepts = ready.sendableBeforePersist();
        if (!accepts.isEmpty()) {
            effects.send(accepts, !ready.toPersist().isEmpty());
        }
        if (!effects.proceed(Stop.BEFORE_PERSIST, ready)) {
            return false;
        }
        List<DurableRecord> toPersist = ready.toPersist();
        List<LogEntry> toApply = ready.toApply();
        if (effects.appliesEarly() && ready.earlyApplySparesAnFsync()) {
            effects.persist(ready.decisionsAppliableBeforePersist());
            effects.apply(ready.appliableBeforePersist(), true);
            if (!effects.proceed(Stop.AFTER_EARLY_APPLY, ready)) {
                return false;
            }
            toPersist = ready.toPersistAfterEarlyApply();
            toApply = ready.toApplyAfterPersist();
        }
        effects.persist(toPersist);
        effects.send(ready.sendableAfterPersist(), false);
        if (!effects.proceed(Stop.AFTER_SEND, ready)) {
            return false;
        }
        ready.snapshotToInstall().ifPresent(effects::install);
        effects.apply(toApply, false);
        replica.advance(ready);
        ready.snapshotRequestSlot().ifPresent(effects::snapshotRequested);
        return true;
    }
}
