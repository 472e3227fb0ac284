package io.synod.clock.sim;

import io.synod.clock.BerkeleyMessage;
import io.synod.clock.BerkeleyReady;
import io.synod.clock.BerkeleyRoundReport;
import io.synod.clock.BullyElection;
import io.synod.clock.CoordinatorChange;
import io.synod.clock.ElectionMessage;
import io.synod.clock.ElectionReady;
import io.synod.clock.Outbound;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One deterministic run of the clock cores (see the package documentation). Single-threaded; all
 * randomness from the seed, split into independent streams so that adding a read somewhere does
 * not change the faults drawn.
 */
final class ClockSimulation {

    /**
     * The skew bound between live servers in the check window, for machine clocks without read
     * noise. The error budget per server against the coordinator is half the calm delay bound
     * (asymmetry, 1 ms) plus rounding and the 1 ms loop-filter dead zone plus drift between
     * corrections (200 ppm over a 5 s round, 1 ms). Observed over seeds 1..6000: at most 3 ms in
     * the 576 runs without noise.
     */
    static final long SKEW_BOUND_MILLIS = 5;

    /**
     * Extra allowance per millisecond of read noise: every reading (the protocols' and the
     * checker's own) is off by up to the noise. Observed over seeds 1..6000: at most 6 ms in the
     * 5,424 runs with 1 ms noise (5 ms in all but one).
     */
    static final long SKEW_ALLOWANCE_PER_NOISE_MILLIS = 2;

    /** A run that broke a checker; the message names the seed. */
    static final class SimFailure extends AssertionError {
        SimFailure(String message) {
            super(message);
        }
    }

    /** What a passing run measured. */
    record Result(
            long seed,
            int liveCount,
            String coordinator,
            long maxSkewMillis,
            long skewBoundMillis,
            long roundCount,
            long events) {}

    private sealed interface Event permits NodeTick, ListPoll, Delivery, Crash, Restart {}

    private record NodeTick(String node, int incarnation) implements Event {}

    private record ListPoll(String node, int incarnation) implements Event {}

    private record Delivery(String source, String target, Object message) implements Event {}

    private record Crash(String node) implements Event {}

    private record Restart(String node) implements Event {}

    private record Scheduled(long atMillis, long sequence, Event event) {}

    private final long seed;
    private final SimParameters parameters;
    private final SplittableRandom networkRandom;
    private final SplittableRandom noiseRandom;
    private final SplittableRandom workloadRandom;
    private final Map<String, SimNode> nodes = new LinkedHashMap<>();
    private final PriorityQueue<Scheduled> queue =
            new PriorityQueue<>(Comparator.comparingLong(Scheduled::atMillis).thenComparingLong(Scheduled::sequence));
    private final boolean tracing;
    private final Deque<String> trace = new ArrayDeque<>();
    private long sequence;
    private long nowMillis;
    private long eventCount;
    private long roundCount;
    private long maxSkewMillis;

    ClockSimulation(long seed, boolean tracing) {
        this.seed = seed;
        this.tracing = tracing;
        SplittableRandom root = new SplittableRandom(seed);
        this.parameters = SimParameters.draw(root);
        this.networkRandom = root.split();
        this.noiseRandom = root.split();
        this.workloadRandom = root.split();
        createNodes(root.split());
        scheduleFaults(root.split());
    }

    SimParameters parameters() {
        return parameters;
    }

    /** Runs to the end and checks; throws {@link SimFailure} naming the seed. */
    Result run() {
        long endMillis = parameters.chaosMillis() + parameters.calmMillis() + parameters.checkWindowMillis();
        long checkFromMillis = endMillis - parameters.checkWindowMillis();
        for (SimNode node : nodes.values()) {
            schedule(0, new Restart(node.name));
        }
        try {
            while (!queue.isEmpty() && queue.peek().atMillis() <= endMillis) {
                Scheduled next = queue.poll();
                boolean newMillis = next.atMillis() != nowMillis;
                nowMillis = next.atMillis();
                eventCount++;
                handle(next.event());
                if (newMillis && nowMillis >= checkFromMillis && nowMillis % 50 == 0) {
                    checkWindow();
                }
            }
            checkWindow();
        } catch (AssertionError | RuntimeException e) {
            throw new SimFailure("seed=" + seed + " at t=" + nowMillis + "ms " + parameters + ": " + e
                    + " (replay: -Dsim.seed=" + seed + ")" + traceTail());
        }
        SimNode top = highestLive();
        return new Result(
                seed,
                liveNodes().size(),
                top.name,
                maxSkewMillis,
                skewBoundMillis(liveNodes()),
                roundCount,
                eventCount);
    }

    private void createNodes(SplittableRandom random) {
        List<Integer> ranks = new ArrayList<>();
        for (int i = 0; i < parameters.nodeCount(); i++) {
            ranks.add(i + 1);
        }
        for (int i = ranks.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            ranks.set(i, ranks.set(j, ranks.get(i)));
        }
        for (int i = 0; i < parameters.nodeCount(); i++) {
            String name = "server_" + (i + 1);
            long skewMillis = random.nextLong(-1_000, 1_001);
            nodes.put(name, new SimNode(name, ranks.get(i), skewMillis, drawDrift(random)));
        }
    }

    private DriftModel drawDrift(SplittableRandom random) {
        TreeMap<Long, Long> steps = new TreeMap<>();
        int stepCount = random.nextInt(0, 3);
        for (int i = 0; i < stepCount; i++) {
            steps.put(random.nextLong(1, parameters.chaosMillis()), random.nextLong(-300, 301));
        }
        return new DriftModel(random.nextLong(-100, 101), random.nextInt(0, 2), steps);
    }

    private void scheduleFaults(SplittableRandom random) {
        List<String> names = new ArrayList<>(nodes.keySet());
        for (int i = 0; i < parameters.crashCount(); i++) {
            String name = names.get(random.nextInt(names.size()));
            long crashAtMillis = random.nextLong(1, parameters.chaosMillis());
            schedule(crashAtMillis, new Crash(name));
            if (random.nextInt(3) > 0) {
                schedule(random.nextLong(crashAtMillis + 1, parameters.chaosMillis() + 1), new Restart(name));
            }
        }
    }

    private void handle(Event event) {
        switch (event) {
            case NodeTick tick -> onTick(tick);
            case ListPoll poll -> onListPoll(poll);
            case Delivery delivery -> onDelivery(delivery);
            case Crash crash -> onCrash(crash.node());
            case Restart restart -> onRestart(restart.node());
        }
    }

    private void onTick(NodeTick tick) {
        SimNode node = nodes.get(tick.node());
        if (!node.alive || node.incarnation != tick.incarnation()) {
            return;
        }
        long underlyingMillis = underlying(node);
        node.readDisplayed(underlyingMillis);
        node.election.tick();
        node.sync.tick(underlyingMillis);
        if (workloadRandom.nextInt(1_000) < parameters.chatMessagePermillePerTick()) {
            node.sync.noteMessageExchanged(underlyingMillis);
        }
        drain(node);
        schedule(nowMillis + parameters.tickMillis(), tick);
    }

    private void onListPoll(ListPoll poll) {
        SimNode node = nodes.get(poll.node());
        if (!node.alive || node.incarnation != poll.incarnation()) {
            return;
        }
        Map<String, Integer> ranks = new TreeMap<>();
        for (SimNode other : nodes.values()) {
            boolean registered = other.alive || nowMillis - other.crashedAtMillis < parameters.referenceTimeoutMillis();
            if (registered && other.incarnation > 0) {
                ranks.put(other.name, other.rank);
            }
        }
        node.election.setMembers(ranks);
        node.sync.setServers(ranks.keySet());
        drain(node);
        schedule(nowMillis + parameters.listPollIntervalMillis(), poll);
    }

    private void onDelivery(Delivery delivery) {
        SimNode node = nodes.get(delivery.target());
        if (!node.alive) {
            return;
        }
        switch (delivery.message()) {
            case ElectionMessage message -> node.election.step(delivery.source(), message);
            case BerkeleyMessage message -> node.sync.step(delivery.source(), message, underlying(node));
            default -> throw new IllegalStateException("unknown message " + delivery.message());
        }
        drain(node);
    }

    private void onCrash(String name) {
        SimNode node = nodes.get(name);
        if (node.alive && liveNodes().size() > 1) {
            node.crash(nowMillis);
            record(name + " crashed");
        }
    }

    private void onRestart(String name) {
        SimNode node = nodes.get(name);
        if (node.alive && node.incarnation > 0) {
            return;
        }
        node.start(node.drift.underlyingMillis(nowMillis, noiseRandom));
        record(name + " started (incarnation " + node.incarnation + ", rank " + node.rank + ")");
        onListPoll(new ListPoll(name, node.incarnation));
        node.election.start();
        drain(node);
        schedule(nowMillis + 1 + networkRandom.nextLong(parameters.tickMillis()), new NodeTick(name, node.incarnation));
    }

    /** Does what the cores ask: the adapter's job. */
    private void drain(SimNode node) {
        while (node.election.hasReady() || node.sync.hasReady()) {
            ElectionReady electionReady = node.election.ready();
            for (Outbound<ElectionMessage> outbound : electionReady.messagesToSend()) {
                send(node.name, outbound.target(), outbound.message());
            }
            for (ElectionMessage.CoordinatorAnnouncement announcement : electionReady.announcementsToPublish()) {
                record(node.name + " announces itself coordinator");
                for (String other : nodes.keySet()) {
                    if (!other.equals(node.name)) {
                        send(node.name, other, announcement);
                    }
                }
            }
            for (CoordinatorChange change : electionReady.coordinatorChanges()) {
                record(node.name + " coordinator " + change.previousCoordinator() + " -> "
                        + change.currentCoordinator());
                node.sync.coordinatorChanged(change.currentCoordinator());
            }
            BerkeleyReady syncReady = node.sync.ready();
            for (Outbound<BerkeleyMessage> outbound : syncReady.messagesToSend()) {
                send(node.name, outbound.target(), outbound.message());
            }
            for (BerkeleyRoundReport report : syncReady.roundReports()) {
                roundCount++;
                record(node.name + " round " + report.roundId() + " spread=" + report.spreadMillis() + " avg="
                        + report.averageOffsetMillis() + " offsets=" + report.offsetsMillis() + " excluded="
                        + report.excludedFromAverage() + " silent=" + report.silentServers());
            }
            if (tracing) {
                syncReady.corrections().forEach(c -> record(node.name + " corrected " + c));
            }
        }
    }

    private void send(String source, String target, Object message) {
        boolean chaos = nowMillis < parameters.chaosMillis();
        if (chaos && networkRandom.nextInt(1_000) < parameters.lossPermille()) {
            return;
        }
        int copies = chaos && networkRandom.nextInt(1_000) < parameters.duplicationPermille() ? 2 : 1;
        long delayMaxMillis = chaos ? parameters.chaosDelayMaxMillis() : parameters.calmDelayMaxMillis();
        for (int i = 0; i < copies; i++) {
            schedule(nowMillis + networkRandom.nextLong(delayMaxMillis + 1), new Delivery(source, target, message));
        }
    }

    private void checkWindow() {
        List<SimNode> live = liveNodes();
        long minMillis = Long.MAX_VALUE;
        long maxMillis = Long.MIN_VALUE;
        for (SimNode node : live) {
            long displayedMillis = node.readDisplayed(underlying(node));
            minMillis = Math.min(minMillis, displayedMillis);
            maxMillis = Math.max(maxMillis, displayedMillis);
        }
        long skewMillis = maxMillis - minMillis;
        maxSkewMillis = Math.max(maxSkewMillis, skewMillis);
        long boundMillis = skewBoundMillis(live);
        if (skewMillis > boundMillis) {
            throw new AssertionError("skew " + skewMillis + " ms > " + boundMillis + " ms: " + clockSummary(live));
        }
        checkCoordinator(live);
    }

    /** The bound for this set of servers: {@link #SKEW_BOUND_MILLIS} plus the read-noise allowance. */
    static long skewBoundMillis(List<SimNode> live) {
        int noiseMaxMillis = 0;
        for (SimNode node : live) {
            noiseMaxMillis = Math.max(noiseMaxMillis, node.drift.noiseMillis());
        }
        return SKEW_BOUND_MILLIS + SKEW_ALLOWANCE_PER_NOISE_MILLIS * noiseMaxMillis;
    }

    private void checkCoordinator(List<SimNode> live) {
        SimNode top = highestLive();
        for (SimNode node : live) {
            boolean isTop = node == top;
            if ((node.election.role() == BullyElection.Role.COORDINATOR) != isTop) {
                throw new AssertionError(
                        node.name + " role " + node.election.role() + " but the highest live is " + top.name);
            }
            if (!node.election.coordinator().equals(Optional.of(top.name))) {
                throw new AssertionError(node.name + " names coordinator " + node.election.coordinator()
                        + " but the highest live is " + top.name);
            }
        }
    }

    private SimNode highestLive() {
        SimNode top = null;
        for (SimNode node : liveNodes()) {
            if (top == null || node.rank > top.rank) {
                top = node;
            }
        }
        return top;
    }

    private List<SimNode> liveNodes() {
        List<SimNode> live = new ArrayList<>();
        for (SimNode node : nodes.values()) {
            if (node.alive) {
                live.add(node);
            }
        }
        return live;
    }

    private long underlying(SimNode node) {
        return node.drift.underlyingMillis(nowMillis, noiseRandom);
    }

    private String clockSummary(List<SimNode> live) {
        StringBuilder summary = new StringBuilder();
        for (SimNode node : live) {
            summary.append(node.name)
                    .append('{')
                    .append(node.clock)
                    .append(", displayed=")
                    .append(node.lastDisplayedMillis - DriftModel.EPOCH_BASE_MILLIS - nowMillis)
                    .append("} ");
        }
        return summary.toString();
    }

    private void schedule(long atMillis, Event event) {
        queue.add(new Scheduled(atMillis, sequence++, event));
    }

    private void record(String line) {
        if (tracing) {
            trace.addLast(String.format("%8d ms %s", nowMillis, line));
            if (trace.size() > 400) {
                trace.removeFirst();
            }
        }
    }

    private String traceTail() {
        return tracing ? "\n" + String.join("\n", trace) : "";
    }
}
