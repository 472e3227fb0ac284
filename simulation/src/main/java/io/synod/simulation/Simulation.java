package io.synod.simulation;

import io.synod.consensus.DurableRecord;
import io.synod.consensus.DurableState;
import io.synod.consensus.LogCommand;
import io.synod.consensus.LogEntry;
import io.synod.consensus.Membership;
import io.synod.consensus.PaxosConfig;
import io.synod.consensus.PaxosEnvelope;
import io.synod.consensus.PaxosReplica;
import io.synod.consensus.ProposeOutcome;
import io.synod.consensus.Ready;
import io.synod.consensus.ReadyRunner;
import io.synod.consensus.Snapshot;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A deterministic cluster simulation: five servers (three genesis voters, two spares that may join), a seeded
 * network, crashes that lose whatever was not yet persisted, restarts from the persisted state, per-node tick rates,
 * membership changes and a workload of clients that retry. Checkers run after every persisted decision and applied
 * slot; after the fault phase, faults stop and every client must be served and every member converge within a
 * bound (liveness phase). Everything derives from one seed, so a failing run replays exactly.
 *
 * <p>Not thread-safe: one run on one thread. Call {@link #run()} once.
 */
public final class Simulation {
    static final int NODES = 5;
    private static final long CLIENT_TIMEOUT = 2_500;

    private sealed interface Action {}

    private record Deliver(PaxosEnvelope envelope) implements Action {}

    private record Tick(int node, int incarnation) implements Action {}

    private record Flush(int node, int incarnation) implements Action {}

    private record ClientSend(int client) implements Action {}

    private record ClientArrive(int client, int node, long requestId) implements Action {}

    private record ClientTimeout(int client, long requestId, int attempt) implements Action {}

    private record Fault() implements Action {}

    private record Restart(int node) implements Action {}

    private record Unclog(long link) implements Action {}

    private record Heal() implements Action {}

    private record Scheduled(long time, long sequence, Action action) {}

    /** One client with at most one outstanding request. */
    private static final class SimClient {
        final int id;
        long requestId;
        boolean outstanding;
        int attempt;
        int target = 1;
        int acksAfterHeal;

        SimClient(int id) {
            this.id = id;
        }
    }

    private final long seed;
    private final SimOptions options;
    private final ReplicaFactory factory;
    private final SplittableRandom random;
    private final PaxosConfig clusterConfig;
    /** When true, nodes persist their applied state with every flush and restart from it (not from the snapshot). */
    private final boolean durableApplicationState;

    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>(
            (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.sequence, b.sequence));
    private final SimNode[] nodes = new SimNode[NODES + 1];
    private final List<SimClient> clients = new ArrayList<>();
    private final SimNetwork network;
    private final SimChecker checker = new SimChecker();
    private final SimTrace trace;
    private long now;
    private long sequence;
    private long events;
    private boolean faultPhase = true;
    private long healTime = -1;

    /** A run of {@code seed} with {@code options}, building replicas with {@code factory}. */
    public Simulation(long seed, SimOptions options, ReplicaFactory factory) {
        this.seed = seed;
        this.options = options;
        this.factory = factory;
        this.random = new SplittableRandom(seed);
        this.trace = new SimTrace(options.traceLinesMax());
        this.network = new SimNetwork(random.split(), (time, envelope) -> schedule(time, new Deliver(envelope)));
        this.clusterConfig = randomConfig(random);
        this.durableApplicationState = random.nextBoolean();
    }

    /** Cluster settings vary per seed: genesis size, window (alpha), batch size, snapshot and catch-up limits. */
    private static PaxosConfig randomConfig(SplittableRandom random) {
        int size = random.nextInt(20);
        List<Integer> genesis = size < 2 ? List.of(1) : size < 5 ? List.of(1, 2, 3, 4, 5) : List.of(1, 2, 3);
        return new PaxosConfig(
                0,
                Membership.ofVoters(genesis),
                8,
                16,
                2,
                3,
                1 + random.nextInt(8),
                1 + random.nextInt(16),
                64,
                2 + random.nextInt(15),
                3,
                3 + random.nextInt(38),
                random.nextInt(5));
    }

    /** Runs one simulation of {@code seed} with default options and the production replica. */
    public static SimResult run(long seed) {
        return new Simulation(seed, SimOptions.defaults(), ReplicaFactory.STANDARD).run();
    }

    /** Runs to completion; never throws for protocol failures (they are reported in the result). */
    public SimResult run() {
        try {
            start();
            loop();
            checker.checkAcknowledgedExactlyOnce();
            return result(null);
        } catch (SimViolation violation) {
            return result(violation.getMessage());
        } catch (RuntimeException bug) {
            return result("exception: " + bug);
        }
    }

    private SimResult result(String violation) {
        if (violation != null) {
            trace.add(now, "VIOLATION " + violation);
            for (int id = 1; id <= NODES; id++) {
                SimNode node = nodes[id];
                trace.add(now, "  node " + id + ": " + (node != null && node.up() ? node.replica : "down"));
            }
        }
        return new SimResult(seed, violation, trace.text(), events, checker.decidedSlots(), checker.acks());
    }

    private void start() {
        for (int id = 1; id <= NODES; id++) {
            nodes[id] = new SimNode(id, 80 + random.nextInt(60));
            boot(nodes[id]);
        }
        trace.add(now, "config " + clusterConfig + " durableApplicationState=" + durableApplicationState);
        int clientCount = 1 + random.nextInt(options.clients());
        for (int c = 1; c <= clientCount; c++) {
            clients.add(new SimClient(c));
            schedule(random.nextInt(2_000), new ClientSend(c - 1));
        }
        if (options.faults() || options.membershipChanges()) {
            schedule(500 + random.nextInt(1_000), new Fault());
        }
        schedule(options.faultPhaseTimeMax(), new Heal());
    }

    private void loop() {
        while (true) {
            Scheduled next = queue.poll();
            if (next == null) {
                throw new SimViolation("event queue ran dry");
            }
            now = next.time;
            if (++events > options.eventsMax()) {
                throw new SimViolation("event bound " + options.eventsMax() + " exceeded");
            }
            dispatch(next.action);
            if (!faultPhase) {
                if (livenessReached()) {
                    trace.add(now, "liveness reached " + (now - healTime) + " after heal");
                    return;
                }
                if (now - healTime > options.livenessPhaseTimeMax()) {
                    throw new SimViolation("liveness: no progress within " + options.livenessPhaseTimeMax()
                            + " time units after faults stopped");
                }
            }
        }
    }

    private void dispatch(Action action) {
        switch (action) {
            case Deliver d -> deliver(d.envelope());
            case Tick t -> tick(t);
            case Flush f -> flush(f);
            case ClientSend s -> clientSend(clients.get(s.client()));
            case ClientArrive a -> clientArrive(a);
            case ClientTimeout t -> clientTimeout(t);
            case Fault f -> fault();
            case Restart r -> boot(nodes[r.node()]);
            case Unclog u -> network.unclog(now, u.link());
            case Heal h -> heal();
        }
    }

    private void schedule(long time, Action action) {
        queue.add(new Scheduled(time, sequence++, action));
    }

    private void boot(SimNode node) {
        if (node.up()) {
            return;
        }
        DurableState state = node.disk.load();
        if (durableApplicationState && node.durableMachine != null) {
            node.machine = SimStateMachine.fromSnapshot(node.durableMachine); // applied state survived the crash
        } else {
            node.machine = state.snapshot()
                    .map(s -> SimStateMachine.fromSnapshot(s.state()))
                    .orElseGet(SimStateMachine::new);
        }
        long appliedSlot = node.machine.appliedSlot();
        node.replica = factory.restore(clusterConfig.withNodeId(node.id), state, appliedSlot, random.split());
        trace.add(now, "n" + node.id + " boot " + node.replica);
        schedule(now + random.nextInt((int) node.tickPeriod), new Tick(node.id, node.incarnation));
        afterInput(node);
    }

    private void crash(SimNode node, String why) {
        if (node.up()) {
            trace.add(now, "n" + node.id + " crash (" + why + ")");
            node.crash();
            schedule(now + 200 + random.nextInt(4_000), new Restart(node.id));
        }
    }

    private void deliver(PaxosEnvelope envelope) {
        SimNode node = nodes[envelope.target()];
        if (!node.up() || network.isBlocked(envelope.source(), envelope.target())) {
            return;
        }
        trace.add(now, "deliver " + envelope);
        node.replica.step(envelope);
        afterInput(node);
    }

    private void tick(Tick t) {
        SimNode node = nodes[t.node()];
        if (!node.up() || node.incarnation != t.incarnation()) {
            return;
        }
        node.replica.tick();
        schedule(now + node.tickPeriod, t);
        afterInput(node);
    }

    private void afterInput(SimNode node) {
        if (!node.flushScheduled && node.replica.hasReady()) {
            node.flushScheduled = true;
            schedule(now + random.nextInt(15), new Flush(node.id, node.incarnation));
        }
    }

    /** The driver loop of one node: one Ready, carried out by {@link ReadyRunner} with faults at its stops. */
    private void flush(Flush f) {
        SimNode node = nodes[f.node()];
        if (!node.up() || node.incarnation != f.incarnation()) {
            return;
        }
        node.flushScheduled = false;
        if (ReadyRunner.run(node.replica, node.replica.ready(), new Driver(node))) {
            afterInput(node);
        }
    }

    /** A node's driver effects on the simulated disk, network and state machine; crashes it at some stops. */
    private final class Driver implements ReadyRunner.Effects {
        private final SimNode node;

        Driver(SimNode node) {
            this.node = node;
        }

        @Override
        public boolean appliesEarly() {
            return true; // as the server's driver: what rests on no vote of a Ready is answered before its fsync
        }

        @Override
        public void send(List<PaxosEnvelope> messages, boolean aheadOfPersist) {
            messages.forEach(envelope -> network.send(now, envelope));
        }

        @Override
        public void persist(List<DurableRecord> records) {
            records.forEach(record -> Simulation.this.persist(node, record));
        }

        @Override
        public void install(Snapshot snapshot) {
            node.machine = SimStateMachine.fromSnapshot(snapshot.state());
            checker.onSnapshotInstalled(node.id, snapshot.lastIncludedSlot(), node.machine.digest());
            trace.add(now, "n" + node.id + " installed snapshot " + snapshot.lastIncludedSlot());
        }

        @Override
        public void apply(List<LogEntry> entries, boolean early) {
            entries.forEach(entry -> Simulation.this.apply(node, entry));
            if (!early && durableApplicationState) {
                node.durableMachine = node.machine.snapshot(); // applied entries and index in one atomic write
            }
        }

        @Override
        public void snapshotRequested(long slot) {
            Invariant.check(node.machine.appliedSlot() == slot, "state machine is at the requested snapshot slot");
            node.replica.snapshotTaken(slot, node.machine.snapshot());
        }

        @Override
        public boolean proceed(ReadyRunner.Stop stop, Ready ready) {
            if (!faultPhase || !options.faults()) {
                return true;
            }
            switch (stop) {
                case BEFORE_PERSIST -> {
                    if (!ready.sendableBeforePersist().isEmpty() && random.nextInt(100) == 0) {
                        crash(node, "after sending Accepts, before persisting"); // the window the early send opens
                        return false;
                    }
                    if (ready.toPersist().size() > 1 && random.nextInt(300) == 0) {
                        int persisted = random.nextInt(ready.toPersist().size());
                        persist(ready.toPersist().subList(0, persisted));
                        crash(
                                node,
                                "torn flush after " + persisted + " of "
                                        + ready.toPersist().size() + " records");
                        return false;
                    }
                }
                case AFTER_EARLY_APPLY -> {
                    if (random.nextInt(50) == 0) {
                        boolean keptApplies = durableApplicationState && random.nextBoolean();
                        if (keptApplies) {
                            node.durableMachine = node.machine.snapshot(); // the unsynced applies reached the disk
                        }
                        crash(
                                node,
                                "after answering decided entries, before persisting the votes"
                                        + (keptApplies ? " (their applies kept)" : ""));
                        return false;
                    }
                }
                case AFTER_SEND -> {
                    if (!ready.toPersist().isEmpty() && random.nextInt(150) == 0) {
                        crash(node, "right after persisting and sending"); // the moment amnesia bugs would show
                        return false;
                    }
                }
            }
            return true;
        }
    }

    private void persist(SimNode node, DurableRecord record) {
        node.disk.persist(record);
        if (record instanceof DurableRecord.DecidedValue decided) {
            checker.onDecided(node.id, decided.entry());
        } else if (record instanceof DurableRecord.DecidedAccepted marker
                && node.disk.decided(marker.slot()).isPresent()) {
            // the value the marker resolved to on this node's own disk: agreement checks the resolution too
            checker.onDecided(
                    node.id,
                    new LogEntry(marker.slot(), node.disk.decided(marker.slot()).get()));
        }
    }

    private void apply(SimNode node, LogEntry entry) {
        node.machine.apply(entry, (command, outcome) -> acknowledge(node, command));
        checker.onApplied(node.id, entry, node.machine.digest());
        trace.add(now, "n" + node.id + " apply " + entry.slot() + " " + entry.value());
    }

    private void acknowledge(SimNode node, LogCommand.Client command) {
        Long received = node.receivedRequestByClient.get(command.clientId());
        SimClient client = clients.get((int) command.clientId() - 1);
        if (received == null
                || received != command.requestId()
                || !client.outstanding
                || client.requestId != command.requestId()) {
            return;
        }
        client.outstanding = false;
        checker.onAcknowledged(client.id, client.requestId);
        trace.add(now, "client " + client.id + " ack #" + client.requestId + " from n" + node.id);
        if (!faultPhase) {
            client.acksAfterHeal++;
        }
        schedule(now + random.nextInt(300), new ClientSend(client.id - 1));
    }

    private void clientSend(SimClient client) {
        if (client.outstanding || (!faultPhase && client.acksAfterHeal >= 2)) {
            return;
        }
        client.requestId++;
        client.outstanding = true;
        client.attempt = 0;
        sendAttempt(client, 5 + random.nextInt(50));
    }

    private void sendAttempt(SimClient client, long delay) {
        schedule(now + delay, new ClientArrive(client.id, client.target, client.requestId));
        schedule(now + delay + CLIENT_TIMEOUT, new ClientTimeout(client.id, client.requestId, client.attempt));
    }

    private void clientArrive(ClientArrive arrive) {
        SimClient client = clients.get(arrive.client() - 1);
        SimNode node = nodes[arrive.node()];
        if (!client.outstanding || client.requestId != arrive.requestId() || !node.up()) {
            return;
        }
        byte[] payload = ByteBuffer.allocate(8)
                .putLong(client.id * 31L + client.requestId)
                .array();
        ProposeOutcome outcome = node.replica.propose(new LogCommand.Client(client.id, client.requestId, payload));
        trace.add(now, "client " + client.id + " #" + client.requestId + " -> n" + node.id + " " + outcome);
        if (outcome == ProposeOutcome.QUEUED) {
            node.receivedRequestByClient.put((long) client.id, client.requestId);
        } else {
            var hint = node.replica.leaderHint();
            client.target =
                    hint.isPresent() && hint.getAsInt() != node.id ? hint.getAsInt() : 1 + random.nextInt(NODES);
            client.attempt++;
            sendAttempt(client, 50 + random.nextInt(200));
        }
        afterInput(node);
    }

    private void clientTimeout(ClientTimeout timeout) {
        SimClient client = clients.get(timeout.client() - 1);
        if (client.outstanding && client.requestId == timeout.requestId() && client.attempt == timeout.attempt()) {
            client.target = 1 + random.nextInt(NODES);
            client.attempt++;
            trace.add(now, "client " + client.id + " #" + client.requestId + " timed out, retry via n" + client.target);
            sendAttempt(client, 5 + random.nextInt(50));
        }
    }

    private void fault() {
        if (!faultPhase) {
            return;
        }
        schedule(now + 100 + random.nextInt(1_000), new Fault());
        int pick = random.nextInt(100);
        if (options.membershipChanges() && pick < 10) {
            reconfigure();
        } else if (options.faults()) {
            new SimFaults(random, network, trace)
                    .inject(now, pick, currentLeader(), this::crashById, this::scheduleUnclog);
        }
    }

    /** The node that currently believes it leads (the highest ballot if several do), or 0. */
    private int currentLeader() {
        int leader = 0;
        for (int id = 1; id <= NODES; id++) {
            if (nodes[id].up() && nodes[id].replica.isLeader()) {
                leader = id;
            }
        }
        return leader;
    }

    private void crashById(int id) {
        crash(nodes[id], "fault");
    }

    private void scheduleUnclog(long time, long link) {
        schedule(time, new Unclog(link));
    }

    private void reconfigure() {
        for (int id = 1; id <= NODES; id++) {
            SimNode node = nodes[id];
            if (node.up() && node.replica.isLeader()) {
                LogCommand command = chooseReconfiguration(node.replica);
                if (command != null) {
                    ProposeOutcome outcome = node.replica.propose(command);
                    trace.add(now, "admin " + command + " via n" + id + " " + outcome);
                    afterInput(node);
                }
                return;
            }
        }
    }

    private LogCommand chooseReconfiguration(PaxosReplica leader) {
        Membership latest = leader.latestMembership();
        List<Integer> outside = new ArrayList<>();
        for (int id = 1; id <= NODES; id++) {
            if (!latest.contains(id)) {
                outside.add(id);
            }
        }
        if (!outside.isEmpty() && (latest.voters().size() < 4 || random.nextBoolean())) {
            return new LogCommand.AddLearner(outside.get(random.nextInt(outside.size())));
        }
        if (latest.voters().size() >= 4) {
            return new LogCommand.RemoveServer(
                    latest.voters().get(random.nextInt(latest.voters().size())));
        }
        return null;
    }

    private void heal() {
        faultPhase = false;
        healTime = now;
        network.healAll(now);
        trace.add(now, "heal: faults stop");
        for (int id = 1; id <= NODES; id++) {
            boot(nodes[id]);
        }
    }

    private boolean livenessReached() {
        for (SimClient client : clients) {
            if (client.acksAfterHeal < 2) {
                return false;
            }
        }
        SimNode mostAdvanced = null;
        for (int id = 1; id <= NODES; id++) {
            SimNode node = nodes[id];
            if (mostAdvanced == null || node.replica.decidedPrefixSlot() > mostAdvanced.replica.decidedPrefixSlot()) {
                mostAdvanced = node;
            }
        }
        long target = mostAdvanced.replica.decidedPrefixSlot();
        for (int member : mostAdvanced.replica.membershipAt(target + 1).members()) {
            SimNode node = nodes[member];
            if (node.machine.appliedSlot() != target || node.flushScheduled) {
                return false;
            }
        }
        return true;
    }
}
