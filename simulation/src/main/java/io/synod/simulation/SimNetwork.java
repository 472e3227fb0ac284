package io.synod.simulation;

import io.synod.consensus.PaxosEnvelope;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * A seeded network: per-message delay with occasional long delays (reordering), loss, duplication, blocked links
 * (partitions of any shape, one-way or both ways) and clogged links that hold messages until unclogged.
 *
 * <p>Not thread-safe: owned by one {@link Simulation}.
 */
final class SimNetwork {
    /** Where delivered messages go. */
    interface Scheduler {
        void deliverAt(long time, PaxosEnvelope envelope);
    }

    private final RandomGenerator random;
    private final Scheduler scheduler;
    private final TreeSet<Long> blocked = new TreeSet<>();
    private final TreeMap<Long, List<PaxosEnvelope>> clogged = new TreeMap<>();
    double lossProbability;
    double duplicateProbability;
    long messagesSent;

    SimNetwork(RandomGenerator random, Scheduler scheduler) {
        this.random = random;
        this.scheduler = scheduler;
    }

    static long link(int source, int target) {
        return source * 64L + target;
    }

    void send(long now, PaxosEnvelope envelope) {
        messagesSent++;
        long link = link(envelope.source(), envelope.target());
        if (blocked.contains(link) || random.nextDouble() < lossProbability) {
            return;
        }
        List<PaxosEnvelope> held = clogged.get(link);
        if (held != null) {
            held.add(envelope);
            return;
        }
        scheduler.deliverAt(now + delay(), envelope);
        if (random.nextDouble() < duplicateProbability) {
            scheduler.deliverAt(now + delay(), envelope);
        }
    }

    /** True when a message sent now on this link would be dropped at delivery (the partition still holds). */
    boolean isBlocked(int source, int target) {
        return blocked.contains(link(source, target));
    }

    private long delay() {
        long delay = 5 + random.nextInt(50);
        if (random.nextInt(20) == 0) {
            delay += random.nextInt(600);
        }
        return delay;
    }

    void block(int source, int target) {
        blocked.add(link(source, target));
    }

    void blockBothWays(int a, int b) {
        block(a, b);
        block(b, a);
    }

    void healPartitions() {
        blocked.clear();
    }

    void clog(int source, int target) {
        clogged.putIfAbsent(link(source, target), new ArrayList<>());
    }

    /** Releases a clogged link: held messages go out now, in random order. */
    void unclog(long now, long link) {
        List<PaxosEnvelope> held = clogged.remove(link);
        if (held != null) {
            for (PaxosEnvelope envelope : held) {
                scheduler.deliverAt(now + delay(), envelope);
            }
        }
    }

    List<Long> cloggedLinks() {
        return new ArrayList<>(clogged.keySet());
    }

    void healAll(long now) {
        healPartitions();
        for (long link : cloggedLinks()) {
            unclog(now, link);
        }
        lossProbability = 0;
        duplicateProbability = 0;
    }
}
