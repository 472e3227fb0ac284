package io.synod.simulation;

import io.synod.consensus.InMemoryDurableLog;
import io.synod.consensus.PaxosReplica;
import java.util.TreeMap;

/**
 * One simulated server: its disk (survives crashes), and while up, its replica, state machine and the client
 * requests it queued (all lost on a crash).
 *
 * <p>Not thread-safe: owned by one {@link Simulation}.
 */
final class SimNode {
    final int id;
    final long tickPeriod;
    final InMemoryDurableLog disk = new InMemoryDurableLog();
    PaxosReplica replica;
    SimStateMachine machine;
    /** The applied state as last persisted by the driver (only in runs with durable application state). */
    byte[] durableMachine;

    int incarnation;
    boolean flushScheduled;
    final TreeMap<Long, Long> receivedRequestByClient = new TreeMap<>();

    SimNode(int id, long tickPeriod) {
        this.id = id;
        this.tickPeriod = tickPeriod;
    }

    boolean up() {
        return replica != null;
    }

    void crash() {
        replica = null;
        machine = null;
        flushScheduled = false;
        receivedRequestByClient.clear();
        incarnation++;
    }
}
