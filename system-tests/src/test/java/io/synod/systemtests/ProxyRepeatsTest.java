package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A course client behind our proxy (a plain JeroMQ SUB that shows every message it gets) across a kill -9 of the
 * Paxos leader while writes go on: the new leader republishes the deliveries its predecessor may not have
 * published, and the proxy drops the copies identical to ones it forwarded, so the subscriber gets each
 * {@code seq} once. This also checks that a republished delivery is byte for byte the original: a copy that
 * differed (a clock or time stamped at publish time) would reach the subscriber as a second message.
 */
class ProxyRepeatsTest {
    private static final int WRITES = 120;
    private static final int KILL_AT = 40;
    private static final Pattern DEDUPLICATED = Pattern.compile("\"deduplicated\":(\\d+)");
    private static final Pattern REPUBLISHING = Pattern.compile("republishing (\\d+) deliveries");

    @Test
    @Timeout(180)
    void aPlainSubscriberSeesEachSeqOnceAcrossALeaderKill() throws Exception {
        try (Cluster cluster = new Cluster("proxy-repeats");
                ZContext context = new ZContext()) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            Map<String, String> endpoints = new java.util.LinkedHashMap<>();
            for (String name : names) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", Cluster.initialMembers(endpoints));
            Map<String, Processes.Started> running = new HashMap<>();
            for (String name : names) {
                running.put(name, cluster.startServer(name, extra));
            }
            Processes.Started leader = Cluster.awaitLeader(List.copyOf(running.values()));

            ZMQ.Socket sub = context.createSocket(SocketType.SUB);
            sub.setLinger(0);
            sub.subscribe("room".getBytes(StandardCharsets.UTF_8));
            sub.connect(Processes.endpoint(cluster.proxyXpub));
            // seq -> every payload received with it, in arrival order
            TreeMap<Long, List<byte[]>> received = new TreeMap<>();
            String killed;
            try (Cluster.RetryingClient client =
                    new Cluster.RetryingClient(Processes.endpoint(cluster.brokerFrontend), "repeats")) {
                client.write("login", Map.of("user", "ana"));
                client.write("channel", Map.of("channel", "room"));
                // until the subscription has reached the servers (slow joiner), bounded
                for (int warmUp = 0; warmUp < 50 && received.isEmpty(); warmUp++) {
                    client.write("publish", Map.of("user", "ana", "channel", "room", "message", "warm-up " + warmUp));
                    drain(context, sub, received, 200);
                }
                assertThat(received).as("the subscriber gets deliveries").isNotEmpty();
                killed = null;
                for (int i = 0; i < WRITES; i++) {
                    if (i == KILL_AT) {
                        killed = leader.name();
                        Processes.kill(leader);
                        running.remove(killed);
                    }
                    client.write("publish", Map.of("user", "ana", "channel", "room", "message", "m-" + i));
                    drain(context, sub, received, 0);
                }
            }
            Processes.Started newLeader = Cluster.awaitLeader(List.copyOf(running.values()));
            assertThat(newLeader.name()).isNotEqualTo(killed);
            long lastSeq = received.lastKey();
            for (int quiet = 0, rounds = 0; quiet < 3 && rounds < 30; rounds++) { // until 3 s without any
                int before = count(received);
                drain(context, sub, received, 1_000);
                quiet = count(received) == before ? quiet + 1 : 0;
            }

            List<String> repeats = new ArrayList<>();
            received.forEach((seq, copies) -> {
                if (copies.size() > 1) {
                    boolean identical = copies.stream().allMatch(c -> java.util.Arrays.equals(c, copies.get(0)));
                    repeats.add("seq " + seq + " x" + copies.size() + (identical ? " (identical)" : " (different)"));
                }
            });
            assertThat(repeats)
                    .as("seqs the plain subscriber got more than once")
                    .isEmpty();
            long first = received.firstKey();
            long last = received.lastKey();
            assertThat(received)
                    .as("every seq from the first received to the last, once")
                    .hasSize((int) (last - first + 1));
            assertThat(last).isGreaterThanOrEqualTo(lastSeq).isGreaterThanOrEqualTo(WRITES);

            long deduplicated = sumOf(Path.of(cluster.log("proxy")), DEDUPLICATED);
            long republished = sumOf(newLeader.output(), REPUBLISHING);
            System.out.printf(
                    "proxy-repeats: seqs %d-%d once each; leader %s killed at write %d; %s republished %d deliveries;"
                            + " the proxy dropped %d identical copies%n",
                    first, last, killed, KILL_AT, newLeader.name(), republished, deduplicated);
        }
    }

    /** Receives what arrives within {@code waitMillis} (0: what is already there). */
    private static void drain(ZContext context, ZMQ.Socket sub, TreeMap<Long, List<byte[]>> received, int waitMillis) {
        sub.setReceiveTimeOut(waitMillis);
        while (true) {
            byte[] topic = waitMillis > 0
                    ? io.synod.messaging.ZmqTestSockets.receiveNudging(context, sub, waitMillis)
                    : sub.recv(ZMQ.DONTWAIT);
            if (topic == null) {
                return;
            }
            byte[] payload = sub.recv(0);
            Map<?, ?> decoded = (Map<?, ?>) MsgPack.decode(payload, Limits.DEFAULT);
            long seq = (Long) decoded.get("seq");
            received.computeIfAbsent(seq, s -> new ArrayList<>()).add(payload);
        }
    }

    private static int count(TreeMap<Long, List<byte[]>> received) {
        return received.values().stream().mapToInt(List::size).sum();
    }

    /** The sum of a pattern's first group over a file's lines. */
    private static long sumOf(Path file, Pattern pattern) throws java.io.IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        long sum = 0;
        Matcher matcher = pattern.matcher(Files.readString(file, StandardCharsets.UTF_8));
        while (matcher.find()) {
            sum += Long.parseLong(matcher.group(1));
        }
        return sum;
    }
}
