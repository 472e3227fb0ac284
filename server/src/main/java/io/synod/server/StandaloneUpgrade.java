package io.synod.server;

import io.synod.consensus.Batch;
import io.synod.consensus.DurableRecord;
import io.synod.consensus.DurableState;
import io.synod.consensus.LogEntry;
import io.synod.server.replication.ReplicationConfig;
import io.synod.store.RocksDbChatStore;
import io.synod.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens, on the replicated write path, a data directory written by a single server of a Synod before every server was
 * a Paxos group ("standalone" servers): a chat state whose writes are numbered 1, 2, 3... and no Paxos log.
 *
 * <p>The replication driver numbers the command at position {@code p} of slot {@code s} {@code s * stride + p} and
 * skips, as applied before a restart, every command at or below the store's applied index. A standalone state at
 * index {@code n >= stride} would therefore have the first new writes skipped, or (from {@code 2 * stride}) fail the
 * replica's restore. The upgrade records slots {@code 1..n / stride} as decided no-ops, which is what they hold for
 * this group of one: the next slot is numbered past {@code n}, and nothing already applied is applied again. It runs
 * once: afterwards the log is not empty. A state below {@code stride} needs nothing (slot 1 starts past it).
 *
 * <p>Only a group of one may do this: in a larger group those slots are decided by the others. A member of one with
 * a standalone state is refused; its data is not the group's.
 */
final class StandaloneUpgrade {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneUpgrade.class);

    private StandaloneUpgrade() {}

    /**
     * Upgrades {@code store} if it holds a standalone state; does nothing otherwise.
     *
     * @throws StoreException if it holds one and {@code config} is not a group of one, or the log cannot be written
     */
    static void apply(RocksDbChatStore store, long appliedIndex, ReplicationConfig config) {
        if (appliedIndex == 0 || !store.paxosLog().load().equals(DurableState.empty())) {
            return; // a new data directory, or one the replicated path wrote
        }
        if (config.joining() || config.members().size() != 1) {
            throw new StoreException(
                    "the data directory holds the state of a single server (" + appliedIndex
                            + " writes) and no Paxos log: it is not this group's. Start this server alone on it, or as a"
                            + " member of the group on a new data directory (it catches up from the others).",
                    null);
        }
        long slots = appliedIndex / config.commandSlotStride();
        if (slots == 0) {
            return;
        }
        List<DurableRecord> noops = new ArrayList<>();
        for (long slot = 1; slot <= slots; slot++) {
            noops.add(new DurableRecord.DecidedValue(new LogEntry(slot, Batch.NOOP)));
        }
        store.paxosLog().persist(noops);
        LOG.info(
                "{}: a single server's state at index {} without a Paxos log: slots 1-{} recorded as decided no-ops",
                config.selfName(),
                appliedIndex,
                slots);
    }
}
