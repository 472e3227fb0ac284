package io.synod.registry;

/**
 * The outcome of {@link ServerRegistry#rank} and {@link ServerRegistry#heartbeat}.
 *
 * <p>Thread-safety: immutable.
 */
public sealed interface RankResult permits RankResult.Ranked, RankResult.Refused {

    /**
     * The server's rank.
     *
     * @param rank the stable rank
     * @param persistentStateChanged true when the name or its address is new: the adapter must
     *     persist {@link ServerRegistry#exportState()} before answering
     */
    record Ranked(long rank, boolean persistentStateChanged) implements RankResult {}

    /** The registration was refused (bad name, registry full); the text is for the server. */
    record Refused(String reason) implements RankResult {}
}
