package io.synod.consensus;

import java.util.List;

/**
 * The storage a driver provides for a replica's {@link DurableRecord}s (owned by consensus, implemented by the
 * store adapter, e.g. on RocksDB with synced write batches).
 *
 * <p>Promises, accepted values and snapshots must be durable before the Ready's messages are sent. A batch of
 * {@link DurableRecord.DecidedValue}s only may become durable later, provided it is durable no later than any
 * applied state that depends on it (a decision promises nothing to a peer, and a forgotten one is learned again),
 * as the RocksDB log that shares the application state's write-ahead log does.
 *
 * <p>Call order: {@link #persist} the records of each {@link Ready} before sending its messages; after a restart,
 * {@link #load} once and pass the result to {@link PaxosReplica#restore}. Thread-safety is up to the implementation.
 */
public interface DurableLog {
    /** Makes {@code records} durable, in order. Returns only once they survive a crash. */
    void persist(List<DurableRecord> records);

    /** Reads back everything persisted so far. */
    DurableState load();
}
