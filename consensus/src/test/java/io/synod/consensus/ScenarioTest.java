package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden scenario tests (etcd's datadriven style): each file in {@code src/test/resources/scenarios} is a sequence of
 * blocks, a command line, a {@code ----} line, then the expected output up to a blank line. Lines starting with
 * {@code #} are comments. Run with {@code -Dscenario.rewrite=true} to rewrite the expectations from the actual output
 * (review the diff like code).
 *
 * <p>Commands: {@code nodes N [snapshot=K]}, {@code spare X}, {@code elect X}, {@code propose X text...},
 * {@code add-learner X via L}, {@code remove X via L}, {@code deliver [a->b] [type=T] [together]}, {@code drop [a->b]
 * [type=T]}, {@code crash X}, {@code crash X at=STOP}, {@code restart X}, {@code partition 1,2 | 3}, {@code heal},
 * {@code tick X [N]}, {@code stabilize}, {@code pending}, {@code status}, {@code disk X}.
 *
 * <p>Every node's driver runs its Readies through {@link ReadyRunner}, applying early whenever that spares an fsync,
 * as the server does. {@code deliver ... together} gives each target all of its messages in one turn (one Ready for
 * what they caused, as a server's loop does). {@code crash X at=STOP} arms node X to crash at that {@link
 * ReadyRunner.Stop} of the next Ready that reaches it ({@code before-persist}, {@code after-early-apply}, {@code
 * after-send}): what it sent before has left, what it had not persisted is lost. {@code disk X} prints what X has
 * persisted.
 */
class ScenarioTest {
    private static final Path DIRECTORY = Path.of("src/test/resources/scenarios");

    @TestFactory
    Stream<DynamicTest> scenarios() throws IOException {
        boolean rewrite = Boolean.parseBoolean(System.getProperty("scenario.rewrite", "false"));
        List<Path> files;
        try (Stream<Path> listing = Files.list(DIRECTORY)) {
            files = listing.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).as("scenario files").hasSizeGreaterThanOrEqualTo(4);
        return files.stream()
                .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> run(file, rewrite)));
    }

    private static void run(Path file, boolean rewrite) {
        try {
            String expected = Files.readString(file, StandardCharsets.UTF_8);
            String actual = execute(expected);
            if (rewrite) {
                Files.writeString(file, actual, StandardCharsets.UTF_8);
            } else {
                assertThat(actual)
                        .as(file + " (rerun with -Dscenario.rewrite=true to accept)")
                        .isEqualTo(expected);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs every block of {@code script} and returns the script with actual outputs. */
    static String execute(String script) {
        StringBuilder result = new StringBuilder();
        ScenarioInterpreter interpreter = new ScenarioInterpreter();
        List<String> lines = script.lines().toList();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i++);
            if (line.isBlank() || line.startsWith("#")) {
                result.append(line).append('\n');
                continue;
            }
            result.append(line).append('\n').append("----\n");
            while (i < lines.size()
                    && !lines.get(i).equals("----")
                    && !lines.get(i).isBlank()) {
                i++; // tolerate a missing separator when writing new scenarios
            }
            if (i < lines.size() && lines.get(i).equals("----")) {
                i++;
                while (i < lines.size() && !lines.get(i).isBlank()) {
                    i++;
                }
            }
            for (String output : interpreter.run(line.trim())) {
                result.append(output).append('\n');
            }
            result.append('\n');
            while (i < lines.size() && lines.get(i).isBlank()) {
                i++;
            }
        }
        return result.toString();
    }

    /** Executes one command against a {@link TestCluster}; one handler method per command. */
    static final class ScenarioInterpreter {
        private TestCluster cluster;

        List<String> run(String command) {
            String[] words = command.split("\\s+");
            List<String> output = new ArrayList<>();
            switch (words[0]) {
                case "nodes" -> nodes(words, output);
                case "spare" -> cluster.addNode(Integer.parseInt(words[1]));
                case "elect" -> cluster.elect(Integer.parseInt(words[1]));
                case "propose" -> propose(words, output);
                case "add-learner" -> reconfigure(new LogCommand.AddLearner(Integer.parseInt(words[1])), words, output);
                case "remove" -> reconfigure(new LogCommand.RemoveServer(Integer.parseInt(words[1])), words, output);
                case "deliver" -> cluster.deliver(filter(words), List.of(words).contains("together"));
                case "drop" -> output.add("dropped " + cluster.drop(filter(words)));
                case "crash" -> crash(words, output);
                case "disk" -> disk(Integer.parseInt(words[1]), output);
                case "restart" -> cluster.restart(Integer.parseInt(words[1]));
                case "partition" -> partition(command.substring("partition".length()), output);
                case "heal" -> cluster.blocked.clear();
                case "tick" ->
                    cluster.tick(Integer.parseInt(words[1]), words.length > 2 ? Integer.parseInt(words[2]) : 1);
                case "stabilize" -> cluster.stabilize();
                case "pending" -> cluster.inflight.forEach(e -> output.add("pending " + TestCluster.describe(e)));
                case "status" -> status(output);
                default -> throw new IllegalArgumentException("unknown scenario command: " + command);
            }
            List<String> all = new ArrayList<>(cluster.drainEvents());
            all.addAll(output);
            return all;
        }

        private void nodes(String[] words, List<String> output) {
            int snapshotLogSlotsMax = 1_000;
            for (String word : words) {
                if (word.startsWith("snapshot=")) {
                    snapshotLogSlotsMax = Integer.parseInt(word.substring("snapshot=".length()));
                }
            }
            cluster = new TestCluster(Integer.parseInt(words[1]), snapshotLogSlotsMax);
            output.add("genesis " + cluster.config.genesis() + " alpha=" + cluster.config.inflightSlotsMax() + " batch="
                    + cluster.config.batchCommandsMax());
        }

        private void propose(String[] words, List<String> output) {
            int node = Integer.parseInt(words[1]);
            for (int w = 2; w < words.length; w++) {
                output.add("propose " + words[w] + " at n" + node + ": "
                        + cluster.propose(node, TestCluster.command(words[w])));
            }
        }

        private void reconfigure(LogCommand command, String[] words, List<String> output) {
            int via = Integer.parseInt(words[3]);
            output.add(command + " at n" + via + ": " + cluster.propose(via, command));
        }

        private static Predicate<PaxosEnvelope> filter(String[] words) {
            Predicate<PaxosEnvelope> filter = e -> true;
            for (int w = 1; w < words.length; w++) {
                String word = words[w];
                if (word.startsWith("type=")) {
                    String type = word.substring("type=".length());
                    filter = filter.and(
                            e -> e.message().getClass().getSimpleName().equals(type));
                } else if (word.contains("->")) {
                    String[] ends = word.split("->");
                    int source = Integer.parseInt(ends[0]);
                    int target = Integer.parseInt(ends[1]);
                    filter = filter.and(e -> e.source() == source && e.target() == target);
                }
            }
            return filter;
        }

        private void crash(String[] words, List<String> output) {
            int node = Integer.parseInt(words[1]);
            if (words.length == 2) {
                cluster.crash(node);
                return;
            }
            if (!words[2].startsWith("at=")) {
                throw new IllegalArgumentException("crash X [at=STOP], not " + String.join(" ", words));
            }
            ReadyRunner.Stop stop = ReadyRunner.Stop.valueOf(words[2].substring("at=".length())
                    .toUpperCase(java.util.Locale.ROOT)
                    .replace('-', '_'));
            cluster.node(node).stopAt = stop;
            output.add("n" + node + " will crash at " + stop);
        }

        private void disk(int id, List<String> output) {
            DurableState state = cluster.node(id).disk.load();
            output.add("n" + id + " disk: promised=" + state.promised() + " snapshot=" + state.snapshotSlot());
            state.accepted()
                    .values()
                    .forEach(a -> output.add("  accepted slot=" + a.slot() + " b=" + a.ballot() + " "
                            + TestCluster.describe(a.value())));
            state.decided()
                    .forEach((slot, value) -> output.add("  decided slot=" + slot + " " + TestCluster.describe(value)));
        }

        private void partition(String spec, List<String> output) {
            cluster.blocked.clear();
            String[] sides = spec.split("\\|");
            List<List<Integer>> groups = new ArrayList<>();
            for (String side : sides) {
                groups.add(Stream.of(side.trim().split(","))
                        .map(String::trim)
                        .map(Integer::parseInt)
                        .toList());
            }
            for (List<Integer> a : groups) {
                for (List<Integer> b : groups) {
                    if (a != b) {
                        a.forEach(x -> b.forEach(y -> cluster.blocked.add(x * 64L + y)));
                    }
                }
            }
            output.add("partitioned " + groups);
        }

        private void status(List<String> output) {
            for (TestCluster.Node node : cluster.nodes.values()) {
                if (!node.up()) {
                    output.add("n" + node.id + " down");
                    continue;
                }
                PaxosReplica r = node.replica;
                output.add("n" + node.id + (r.isLeader() ? " leader" : " follower") + " promised=" + r.promisedBallot()
                        + " prefix=" + r.decidedPrefixSlot() + " snapshot=" + r.snapshotSlot() + " "
                        + r.latestMembership() + " applied="
                        + node.applied.stream()
                                .map(e -> e.slot() + ":" + TestCluster.describe(e.value()))
                                .toList());
            }
        }
    }
}
