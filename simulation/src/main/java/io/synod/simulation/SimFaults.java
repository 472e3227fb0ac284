package io.synod.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Picks and injects one network or process fault: crashes, partitions of several shapes (isolated node,
 * majority/minority split, bridge node, one-way links), links clogged one by one and later restored in random order,
 * and changes of loss and duplication rates.
 *
 * <p>Not thread-safe: used by one {@link Simulation}.
 */
final class SimFaults {
    /** Crashes a node by id. */
    interface Crasher {
        void crash(int node);
    }

    /** Schedules the release of a clogged link. */
    interface UnclogScheduler {
        void unclogAt(long time, long link);
    }

    private final RandomGenerator random;
    private final SimNetwork network;
    private final SimTrace trace;
    private int leader;

    SimFaults(RandomGenerator random, SimNetwork network, SimTrace trace) {
        this.random = random;
        this.network = network;
        this.trace = trace;
    }

    /** Injects the fault selected by {@code pick} in [10, 100); {@code leader} is the current leader or 0. */
    void inject(long now, int pick, int leader, Crasher crasher, UnclogScheduler unclogs) {
        this.leader = leader;
        if (pick < 28) {
            int node = leader > 0 && random.nextBoolean() ? leader : node();
            trace.add(now, "fault: crash n" + node);
            crasher.crash(node);
        } else if (pick < 46) {
            partition(now);
        } else if (pick < 58) {
            trace.add(now, "fault: partitions healed");
            network.healPartitions();
        } else if (pick < 66) {
            int node = leader > 0 && random.nextBoolean() ? leader : node();
            trace.add(now, "fault: clog every link of n" + node + " (a pause), unclogged one by one");
            for (int other = 1; other <= Simulation.NODES; other++) {
                if (other != node) {
                    network.clog(node, other);
                    network.clog(other, node);
                    unclogs.unclogAt(now + 800 + random.nextInt(3_000), SimNetwork.link(node, other));
                    unclogs.unclogAt(now + 800 + random.nextInt(3_000), SimNetwork.link(other, node));
                }
            }
        } else if (pick < 80) {
            int source = node();
            int target = other(source);
            network.clog(source, target);
            long until = now + 100 + random.nextInt(3_000);
            trace.add(now, "fault: clog n" + source + "->n" + target + " until " + until);
            unclogs.unclogAt(until, SimNetwork.link(source, target));
        } else {
            network.lossProbability = random.nextInt(4) == 0 ? 0 : random.nextDouble() * 0.2;
            network.duplicateProbability = random.nextDouble() * 0.1;
            trace.add(
                    now,
                    String.format(
                            "fault: loss %.2f duplication %.2f",
                            network.lossProbability, network.duplicateProbability));
        }
    }

    private void partition(long now) {
        network.healPartitions();
        List<Integer> order = shuffledNodes();
        if (leader > 0 && random.nextBoolean()) {
            order.remove(Integer.valueOf(leader));
            order.add(0, leader); // faults around the leader are the interesting ones
        }
        int shape = random.nextInt(4);
        switch (shape) {
            case 0 -> {
                for (int other : order.subList(1, order.size())) {
                    network.blockBothWays(order.get(0), other);
                }
                trace.add(now, "fault: isolate n" + order.get(0));
            }
            case 1 -> {
                int split = 1 + random.nextInt(order.size() - 1);
                cut(order.subList(0, split), order.subList(split, order.size()));
                trace.add(now, "fault: split " + order.subList(0, split) + " | " + order.subList(split, order.size()));
            }
            case 2 -> {
                int bridge = order.get(0);
                int split = 2 + random.nextInt(order.size() - 2);
                cut(order.subList(1, split), order.subList(split, order.size()));
                trace.add(
                        now,
                        "fault: bridge n" + bridge + " between " + order.subList(1, split) + " and "
                                + order.subList(split, order.size()));
            }
            default -> {
                int links = 1 + random.nextInt(5);
                for (int i = 0; i < links; i++) {
                    int source = node();
                    network.block(source, other(source));
                }
                trace.add(now, "fault: " + links + " one-way link cuts");
            }
        }
    }

    private void cut(List<Integer> left, List<Integer> right) {
        for (int a : left) {
            for (int b : right) {
                network.blockBothWays(a, b);
            }
        }
    }

    private List<Integer> shuffledNodes() {
        List<Integer> order = new ArrayList<>();
        for (int id = 1; id <= Simulation.NODES; id++) {
            order.add(random.nextInt(order.size() + 1), id);
        }
        return order;
    }

    private int node() {
        return 1 + random.nextInt(Simulation.NODES);
    }

    private int other(int node) {
        int other = 1 + random.nextInt(Simulation.NODES - 1);
        return other >= node ? other + 1 : other;
    }
}
