package io.synod.consensus;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A hand-driven cluster for unit, paper and scenario tests: messages wait in a FIFO list until a test delivers or
 * drops them, so every interleaving is explicit. Each node's driver loop persists to an {@link InMemoryDurableLog},
 * queues sends, and applies decided entries to a list. Not thread-safe.
 */
final class TestCluster {
    /** One node and its driver state. */
    static final class Node {
        final int id;
        final InMemoryDurableLog disk = new InMemoryDurableLog();
        PaxosReplica replica;
        final List<LogEntry> applied = new ArrayList<>();
        long appliedSlot;
        /** Where the next Ready that reaches it stops, as a crash there would (then it is cleared); null: nowhere. */
        ReadyRunner.Stop stopAt;

        Node(int id) {
            this.id = id;
        }

        boolean up() {
            return replica != null;
        }
    }

    final PaxosConfig config;
    final TreeMap<Integer, Node> nodes = new TreeMap<>();
    final List<PaxosEnvelope> inflight = new ArrayList<>();
    final TreeSet<Long> blocked = new TreeSet<>();
    final List<String> events = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(7);

    TestCluster(int voters, int snapshotLogSlotsMax) {
        this(voters, snapshotLogSlotsMax, 5, 5);
    }

    TestCluster(int voters, int snapshotLogSlotsMax, int electionTicksMin, int electionTicksMax) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= voters; i++) {
            ids.add(i);
        }
        config = new PaxosConfig(
                0,
                Membership.ofVoters(ids),
                electionTicksMin,
                electionTicksMax,
                1,
                2,
                3,
                4,
                64,
                8,
                2,
                snapshotLogSlotsMax,
                0);
        ids.forEach(this::addNode);
    }

    /** Starts a node with nothing persisted (a genesis voter, or a spare that may be added later). */
    void addNode(int id) {
        Node node = new Node(id);
        nodes.put(id, node);
        node.replica = PaxosReplica.create(config.withNodeId(id), random.split());
        flush(node);
    }

    Node node(int id) {
        return nodes.get(id);
    }

    PaxosReplica replica(int id) {
        return nodes.get(id).replica;
    }

    /** Runs one node's driver loop ({@link ReadyRunner}) until it has nothing ready, or stops at its armed stop. */
    void flush(Node node) {
        if (node.up() && !ReadyRunner.drain(node.replica, new NodeEffects(node))) {
            node.replica = null; // stopped as by a crash: what it sent has left, what it did not persist is lost
            node.stopAt = null;
        }
    }

    /** A node's effects: its disk, the shared in-flight list, its applied list, and the events a scenario prints. */
    private final class NodeEffects implements ReadyRunner.Effects {
        private final Node node;

        NodeEffects(Node node) {
            this.node = node;
        }

        @Override
        public boolean appliesEarly() {
            return true;
        }

        @Override
        public void send(List<PaxosEnvelope> messages, boolean aheadOfPersist) {
            inflight.addAll(messages);
        }

        @Override
        public void persist(List<DurableRecord> records) {
            node.disk.persist(records);
        }

        @Override
        public void install(Snapshot snapshot) {
            node.appliedSlot = snapshot.lastIncludedSlot();
            events.add("n" + node.id + " installed snapshot through " + snapshot.lastIncludedSlot());
        }

        @Override
        public void apply(List<LogEntry> entries, boolean early) {
            for (LogEntry entry : entries) {
                PaxosInvariants.check(entry.slot() == node.appliedSlot + 1, "applied in order");
                node.appliedSlot = entry.slot();
                node.applied.add(entry);
                events.add("n" + node.id + " apply " + entry.slot() + " " + describe(entry.value())
                        + (early ? " (early: before the votes are persisted)" : ""));
            }
        }

        @Override
        public void snapshotRequested(long slot) {
            node.replica.snapshotTaken(
                    slot, ByteBuffer.allocate(8).putLong(slot).array());
            events.add("n" + node.id + " snapshot through " + slot);
        }

        @Override
        public boolean proceed(ReadyRunner.Stop stop, Ready ready) {
            if (stop != node.stopAt) {
                return true;
            }
            events.add("n" + node.id + " crashed at " + stop + ", unpersisted: " + unpersisted(stop, ready));
            return false;
        }

        private List<String> unpersisted(ReadyRunner.Stop stop, Ready ready) {
            List<DurableRecord> lost = switch (stop) {
                case BEFORE_PERSIST -> ready.toPersist();
                case AFTER_EARLY_APPLY -> ready.toPersistAfterEarlyApply();
                case AFTER_SEND -> List.of();
            };
            return lost.stream().map(TestCluster::describe).toList();
        }
    }

    void flushAll() {
        nodes.values().forEach(this::flush);
    }

    void tick(int id, int times) {
        for (int i = 0; i < times; i++) {
            Node node = node(id);
            if (node.up()) {
                node.replica.tick();
                flush(node);
            }
        }
    }

    ProposeOutcome propose(int id, LogCommand command) {
        ProposeOutcome outcome = replica(id).propose(command);
        flush(node(id));
        return outcome;
    }

    static LogCommand.Client command(String text) {
        return new LogCommand.Client(1, text.hashCode(), text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Delivers the pending messages matching {@code filter}, in FIFO order, each in its own turn; returns how many. */
    int deliver(Predicate<PaxosEnvelope> filter) {
        return deliver(filter, false);
    }

    /**
     * Delivers the pending messages matching {@code filter}, in FIFO order; returns how many. {@code together}: every
     * target steps all of its messages before its driver runs, in one turn as a server's loop does, so that one
     * Ready holds what they caused (a decision and a new vote, say); otherwise each message has its own turn.
     */
    int deliver(Predicate<PaxosEnvelope> filter, boolean together) {
        List<PaxosEnvelope> chosen = new ArrayList<>();
        for (Iterator<PaxosEnvelope> it = inflight.iterator(); it.hasNext(); ) {
            PaxosEnvelope e = it.next();
            if (filter.test(e)) {
                chosen.add(e);
                it.remove();
            }
        }
        TreeSet<Integer> stepped = new TreeSet<>();
        for (PaxosEnvelope e : chosen) {
            Node target = node(e.target());
            if (target == null || !target.up() || blocked.contains(e.source() * 64L + e.target())) {
                events.add("lost " + describe(e));
                continue;
            }
            events.add("deliver " + describe(e));
            target.replica.step(e);
            if (together) {
                stepped.add(target.id);
            } else {
                flush(target);
            }
        }
        stepped.forEach(id -> flush(node(id)));
        return chosen.size();
    }

    int drop(Predicate<PaxosEnvelope> filter) {
        int before = inflight.size();
        inflight.removeIf(filter);
        return before - inflight.size();
    }

    /** Delivers everything until no message is pending (bounded). */
    void stabilize() {
        for (int round = 0; round < 10_000 && !inflight.isEmpty(); round++) {
            deliver(e -> true);
        }
        PaxosInvariants.check(inflight.isEmpty(), "stabilize did not converge");
    }

    /** Makes {@code id} leader: times out its election and delivers everything. */
    void elect(int id) {
        tick(id, config.electionTimeoutTicksMax());
        stabilize();
        PaxosInvariants.check(replica(id).isLeader(), "n" + id + " should lead: " + replica(id));
    }

    void crash(int id) {
        node(id).replica = null;
        inflight.removeIf(e -> e.source() == id);
        events.add("n" + id + " crashed");
    }

    void restart(int id) {
        Node node = node(id);
        DurableState state = node.disk.load();
        node.appliedSlot = state.snapshotSlot();
        node.applied.removeIf(e -> e.slot() > node.appliedSlot);
        node.replica = PaxosReplica.restore(config.withNodeId(id), state, node.appliedSlot, random.split());
        events.add("n" + id + " restarted");
        flush(node);
    }

    List<Batch> appliedValues(int id) {
        return node(id).applied.stream().map(LogEntry::value).collect(Collectors.toList());
    }

    List<String> drainEvents() {
        List<String> drained = new ArrayList<>(events);
        events.clear();
        return drained;
    }

    static String describe(PaxosEnvelope e) {
        return e.source() + "->" + e.target() + " " + describe(e.message());
    }

    static String describe(PaxosMessage message) {
        return switch (message) {
            case PaxosMessage.Prepare m -> "Prepare b=" + m.ballot() + " from=" + m.fromSlot();
            case PaxosMessage.Promise m ->
                "Promise b=" + m.ballot() + " prefix=" + m.decidedPrefixSlot() + " accepted="
                        + m.accepted().stream()
                                .map(a -> a.slot() + "@" + a.ballot() + ":" + describe(a.value()))
                                .toList();
            case PaxosMessage.Accept m -> "Accept b=" + m.ballot() + " slot=" + m.slot() + " " + describe(m.value());
            case PaxosMessage.Accepted m -> "Accepted b=" + m.ballot() + " slot=" + m.slot();
            case PaxosMessage.Nack m -> "Nack b=" + m.rejectedBallot() + " promised=" + m.promisedBallot();
            case PaxosMessage.Decision m -> "Decision slot=" + m.slot() + " " + describe(m.value());
            case PaxosMessage.DecidedAt m -> "DecidedAt slot=" + m.slot() + " b=" + m.ballot();
            case PaxosMessage.Heartbeat m -> "Heartbeat b=" + m.ballot() + " prefix=" + m.decidedPrefixSlot();
            case PaxosMessage.HeartbeatReply m -> "HeartbeatReply prefix=" + m.decidedPrefixSlot();
            case PaxosMessage.CatchUpRequest m -> "CatchUpRequest from=" + m.fromSlot();
            case PaxosMessage.CatchUpReply m ->
                "CatchUpReply snapshot="
                        + m.snapshot()
                                .map(s -> String.valueOf(s.lastIncludedSlot()))
                                .orElse("none") + " entries="
                        + m.entries().stream().map(LogEntry::slot).toList();
        };
    }

    static String describe(DurableRecord record) {
        return switch (record) {
            case DurableRecord.PromisedBallot r -> "Promised b=" + r.ballot();
            case DurableRecord.AcceptedValue r ->
                "Accepted slot=" + r.entry().slot() + " b=" + r.entry().ballot() + " "
                        + describe(r.entry().value());
            case DurableRecord.DecidedValue r ->
                "Decided slot=" + r.entry().slot() + " " + describe(r.entry().value());
            case DurableRecord.DecidedAccepted r -> "DecidedAccepted slot=" + r.slot() + " b=" + r.ballot();
            case DurableRecord.SnapshotSaved r ->
                "Snapshot through " + r.snapshot().lastIncludedSlot();
        };
    }

    static String describe(Batch batch) {
        if (batch.isNoop()) {
            return "noop";
        }
        return batch.commands().stream()
                .map(c -> c instanceof LogCommand.Client client
                        ? new String(client.payload(), java.nio.charset.StandardCharsets.UTF_8)
                        : c.toString())
                .collect(Collectors.joining(",", "[", "]"));
    }
}
