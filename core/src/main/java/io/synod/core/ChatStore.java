package io.synod.core;

import java.util.List;

/**
 * The ordered key-value storage behind {@link ChatStateMachine}, owned by the core and implemented
 * by adapters (RocksDB in module {@code store}; an in-memory one in this module's tests). Keys and values
 * are opaque byte arrays; keys are ordered by unsigned lexicographic byte comparison.
 *
 * <p>Atomicity contract: {@link #write(StoreBatch)} applies every put and delete of the batch and
 * the batch's applied index together or not at all; batches become durable in the order they were
 * written, and all of them are durable once {@link #sync()} returns (group commit: the owner applies
 * a turn's commands, syncs once, and only then lets a reply or publication that depends on them
 * leave the process). After a crash, {@link #appliedIndex()} tells exactly which commands are in the
 * state: a prefix of the written batches.
 *
 * <p>Call order: reads at any time; {@link #write} and {@link #replaceAll} only from the owner of
 * the state machine. Implementations need not be thread-safe unless they say so.
 */
public interface ChatStore {

    /** The value stored under {@code key}, or null if none. The caller must not modify the array. */
    byte[] get(byte[] key);

    /**
     * At most {@code limit} entries with {@code fromInclusive <= key < toExclusive}, in key order.
     *
     * @param fromInclusive the lowest key, or null for the first key
     * @param toExclusive the key past the last, or null for no upper bound
     * @param limit the most entries to return, positive
     */
    List<StoreEntry> scan(byte[] fromInclusive, byte[] toExclusive, int limit);

    /** The index of the last command whose effects are stored; 0 when empty. */
    long appliedIndex();

    /** Applies the batch's writes and its applied index atomically; durable after the next {@link #sync()}. */
    void write(StoreBatch batch);

    /** Makes every batch written so far durable (one fsync for all of them); returns when it is. */
    void sync();

    /** Replaces the whole content with {@code entries} and the applied index, atomically and durably (snapshots). */
    void replaceAll(List<StoreEntry> entries, long appliedIndex);
}
