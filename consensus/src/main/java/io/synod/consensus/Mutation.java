package io.synod.consensus;

/**
 * Deliberate protocol bugs, used only by tests to prove that the simulator's checkers catch them. Package-private:
 * production code can never enable one. The default is none.
 *
 * <p>Why a test switch lives in main code: each bug sits in the middle of one decision of {@link Leader},
 * {@link Acceptor}, {@link PaxosReplica} or {@link Outbox} (skip phase 1, ignore a promised value, one vote short of a
 * quorum...). Moving them out would need either a seam at each of those decisions that a subclass in the tests
 * overrides (a public extension point in the safety-critical code, worse than a closed enum) or copies of these
 * classes patched and compiled at test time (which break silently whenever the real classes change, so the
 * mutation tests would end up testing stale code). A closed, package-private enum that production constructs
 * empty ({@code PaxosReplica.restore} without mutations) costs one set lookup per decision and keeps every mutation
 * next to the line it breaks.
 */
enum Mutation {
    /** An acceptor forgets its promised ballot (and accepted values) on restart. */
    FORGET_PROMISE_ON_RESTART,
    /** A new leader skips phase 1 and proposes fresh values straight away. */
    SKIP_PHASE_ONE,
    /** A new leader ignores the accepted values reported in promises. */
    IGNORE_PROMISED_VALUES,
    /** An acceptor accepts Accept messages below its promised ballot. */
    ACCEPT_BELOW_PROMISE,
    /** Quorums are one vote short of a majority. */
    QUORUM_TOO_SMALL,
    /** A leader never resends an Accept that got no quorum (a liveness bug: lost messages stall the log). */
    NO_ACCEPT_RETRY,
    /** A follower learns the value it accepted from the leader's vote at any ballot, not only at its own vote's. */
    LEARN_FROM_ANY_VOTE,
    /**
     * {@link Ready#appliableBeforePersist()} takes every decided entry, those learned from this replica's own vote
     * before that vote is durable too (a driver answers them, then crashes before its fsync).
     */
    EARLY_APPLY_OWN_UNPERSISTED_VOTE
}
