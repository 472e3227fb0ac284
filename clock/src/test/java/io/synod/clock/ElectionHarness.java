package io.synod.clock;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** A tiny lossless, instant network of {@link BullyElection}s for unit tests (the simulator does faults). */
final class ElectionHarness {

    private record InFlight(String source, String target, ElectionMessage message) {}

    private final Map<String, BullyElection> nodes = new TreeMap<>();
    private final Set<String> crashed = new HashSet<>();
    private final Deque<InFlight> inFlight = new ArrayDeque<>();

    ElectionHarness(BullyElectionConfig config, Map<String, Integer> ranks) {
        for (Map.Entry<String, Integer> entry : new TreeMap<>(ranks).entrySet()) {
            BullyElection election = new BullyElection(config, entry.getKey(), entry.getValue());
            election.setMembers(ranks);
            nodes.put(entry.getKey(), election);
        }
    }

    BullyElection node(String name) {
        return nodes.get(name);
    }

    void start(String name) {
        nodes.get(name).start();
        deliverAll();
    }

    void crash(String name) {
        crashed.add(name);
    }

    void runTicks(int ticks) {
        for (int i = 0; i < ticks; i++) {
            for (Map.Entry<String, BullyElection> entry : nodes.entrySet()) {
                if (!crashed.contains(entry.getKey())) {
                    entry.getValue().tick();
                }
            }
            deliverAll();
        }
    }

    private void deliverAll() {
        collect();
        while (!inFlight.isEmpty()) {
            InFlight next = inFlight.removeFirst();
            if (!crashed.contains(next.target())) {
                nodes.get(next.target()).step(next.source(), next.message());
            }
            collect();
        }
    }

    private void collect() {
        for (Map.Entry<String, BullyElection> entry : nodes.entrySet()) {
            ElectionReady ready = entry.getValue().ready();
            if (crashed.contains(entry.getKey())) {
                continue;
            }
            for (Outbound<ElectionMessage> outbound : ready.messagesToSend()) {
                inFlight.addLast(new InFlight(entry.getKey(), outbound.target(), outbound.message()));
            }
            for (ElectionMessage.CoordinatorAnnouncement announcement : ready.announcementsToPublish()) {
                for (String other : nodes.keySet()) {
                    if (!other.equals(entry.getKey())) {
                        inFlight.addLast(new InFlight(entry.getKey(), other, announcement));
                    }
                }
            }
        }
    }
}
