package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.client.ClientConfig;
import io.synod.client.ClientReply;
import io.synod.client.Delivery;
import io.synod.client.DeliveryListener;
import io.synod.client.SynodClient;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Publication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 24's failover on real processes: three replicated servers behind two brokers and two proxies, Synod clients
 * connected to all of them, and a bounded load of checked writers (every acknowledged write and every delivery
 * recorded). One broker is killed with -9, later one proxy. Then: every acknowledged write is in the history once
 * and delivered once to a subscriber that reports no gap, nothing was acknowledged twice, and writes go on after
 * each kill. The time from each kill to the next acknowledged write and to the next delivery is printed and written
 * to {@code target/failover-times.txt}; it is measured, not asserted.
 */
class BrokerProxyFailoverTest {
    private static final int WRITERS = 3;
    /** Writes each writer makes at most; the load is bounded in count as well as in time. */
    private static final int WRITES_PER_WRITER_MAX = 400;
    /** Acknowledged writes before the broker is killed, then before the proxy is, then before the end. */
    private static final int ACKS_PER_PHASE = 45;
    /** Pause between a writer's writes: a steady load, not a saturating one, so the times measure the failover. */
    private static final long WRITE_PAUSE_MILLIS = 20;

    private static final long WAIT_MILLIS_MAX = 60_000;
    private static final String CHANNEL = "hall";

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<String> gaps = new CopyOnWriteArrayList<>();
    /** When the reader got each delivery, in order. */
    private final List<Long> deliveryNanos = new CopyOnWriteArrayList<>();
    /** Acknowledged message text, and when its acknowledgement came. */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();

    private final AtomicInteger acks = new AtomicInteger();
    private final AtomicInteger failedWrites = new AtomicInteger();

    @Test
    @Timeout(240)
    void killABrokerThenAProxyUnderCheckedWrites() throws Exception {
        try (Processes processes = new Processes("broker-proxy-failover")) {
            Topology topology = Topology.start(processes);
            Cluster.awaitLeader(topology.servers);
            ClientConfig config = ClientConfig.defaults(topology.brokerFrontends(), topology.proxyXpubs())
                    .withRequestTimeoutMillis(2_000)
                    .withRequestRetriesMax(5);
            List<SynodClient> clients = new ArrayList<>();
            try {
                SynodClient reader =
                        new SynodClient(config, ProcessClock.system(), InteractionLog.inMemory("r"), recorder());
                clients.add(reader);
                assertThat(reader.login("reader").ok()).isTrue();
                assertThat(reader.createChannel(CHANNEL).ok()).isTrue();
                reader.subscribe(CHANNEL, false);
                List<Thread> writers = new ArrayList<>();
                AtomicBoolean stop = new AtomicBoolean();
                for (int w = 0; w < WRITERS; w++) {
                    SynodClient writer = new SynodClient(
                            config, ProcessClock.system(), InteractionLog.inMemory("w" + w), delivery -> {});
                    clients.add(writer);
                    assertThat(writer.login("writer-" + w).ok()).isTrue();
                    int id = w;
                    Thread thread = new Thread(() -> write(writer, id, stop), "writer-" + w);
                    writers.add(thread);
                    thread.start();
                }

                awaitAcks(ACKS_PER_PHASE);
                long brokerKilled = System.nanoTime();
                Processes.kill(topology.brokers.get(0));
                awaitAcks(2 * ACKS_PER_PHASE);
                long proxyKilled = System.nanoTime();
                Processes.kill(topology.proxies.get(0));
                awaitAcks(3 * ACKS_PER_PHASE);
                stop.set(true);
                for (Thread thread : writers) {
                    thread.join(WAIT_MILLIS_MAX);
                }

                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS_MAX);
                while (!deliveredTexts().containsAll(acknowledged.keySet()) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                List<String> history = history(reader);
                String report = report(brokerKilled, proxyKilled);
                System.out.print(report);
                Path target = Path.of("target");
                Files.createDirectories(target);
                Files.writeString(
                        target.resolve("failover-times.txt"),
                        report,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING);

                assertThat(gaps).as("gaps the reader was shown").isEmpty();
                assertThat(acknowledged.values().stream().filter(t -> t > proxyKilled))
                        .as("writes acknowledged after both kills")
                        .isNotEmpty();
                assertThat(duplicates(history))
                        .as("writes in the history twice")
                        .isEmpty();
                assertThat(history).as("acknowledged writes in the history").containsAll(acknowledged.keySet());
                List<String> delivered = deliveredTexts();
                assertThat(duplicates(delivered)).as("writes delivered twice").isEmpty();
                assertThat(delivered).as("acknowledged writes delivered").containsAll(acknowledged.keySet());
                assertThat(deliveries)
                        .extracting(Delivery::seq)
                        .as("one seq after another")
                        .isSorted()
                        .doesNotHaveDuplicates();
            } finally {
                clients.forEach(SynodClient::close);
            }
        }
    }

    private DeliveryListener recorder() {
        return new DeliveryListener() {
            @Override
            public void onDelivery(Delivery delivery) {
                deliveryNanos.add(System.nanoTime());
                deliveries.add(delivery);
            }

            @Override
            public void onGapSkipped(String topic, long fromSeq, long toSeq) {
                gaps.add(topic + ":" + fromSeq + "-" + toSeq);
            }
        };
    }

    /** One writer: its writes in turn, each acknowledged (recorded) or failed (counted; the text is new each time). */
    private void write(SynodClient writer, int id, AtomicBoolean stop) {
        for (int n = 0; n < WRITES_PER_WRITER_MAX && !stop.get(); n++) {
            String text = "w" + id + "-" + n;
            try {
                if (writer.publish(CHANNEL, text).ok()) {
                    acknowledged.put(text, System.nanoTime());
                    acks.incrementAndGet();
                } else {
                    failedWrites.incrementAndGet();
                }
                Thread.sleep(WRITE_PAUSE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) { // a request that used all its attempts: not acknowledged
                failedWrites.incrementAndGet();
            }
        }
    }

    private void awaitAcks(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS_MAX);
        while (acks.get() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + acks.get() + " of " + count + " writes acknowledged within "
                        + WAIT_MILLIS_MAX + " ms (" + failedWrites.get() + " failed)");
            }
            Thread.sleep(10);
        }
    }

    private List<String> deliveredTexts() {
        List<String> texts = new ArrayList<>();
        for (Delivery delivery : deliveries) {
            if (delivery.publication() instanceof Publication.ChannelPost post) {
                texts.add(post.message());
            }
        }
        return texts;
    }

    /** The whole channel history, page after page, through the surviving broker. */
    private static List<String> history(SynodClient reader) {
        List<String> texts = new ArrayList<>();
        long after = 0;
        for (int page = 0; page < 100; page++) {
            ClientReply.HistoryPage history = reader.history(CHANNEL, after, 500);
            assertThat(history.ok()).as("history: %s", history.errorText()).isTrue();
            for (Publication message : history.messages()) {
                if (message instanceof Publication.ChannelPost post) {
                    texts.add(post.message());
                }
                after = Math.max(after, message.seq());
            }
            if (!history.more() || history.messages().isEmpty()) {
                break;
            }
        }
        return texts;
    }

    private static List<String> duplicates(List<String> texts) {
        Map<String, Integer> counts = new HashMap<>();
        texts.forEach(text -> counts.merge(text, 1, Integer::sum));
        List<String> repeated = new ArrayList<>();
        counts.forEach((text, count) -> {
            if (count > 1) {
                repeated.add(text);
            }
        });
        Collections.sort(repeated);
        return repeated;
    }

    private String report(long brokerKilled, long proxyKilled) {
        return String.format(
                "broker-proxy-failover %s commit %s: %d writers, %d acknowledged, %d failed, %d delivered;%n"
                        + "  broker kill -9: next acknowledged write after %s ms, every writer's next after %s ms,"
                        + " next delivery after %s ms%n"
                        + "  proxy kill -9: next acknowledged write after %s ms, next delivery after %s ms,"
                        + " longest pause between deliveries around it %s ms%n",
                Instant.now(),
                commit(),
                WRITERS,
                acks.get(),
                failedWrites.get(),
                deliveries.size(),
                millis(firstAfter(acknowledged.values(), brokerKilled), brokerKilled),
                millis(lastFirstAckPerWriter(brokerKilled), brokerKilled),
                millis(firstAfter(deliveryNanos, brokerKilled), brokerKilled),
                millis(firstAfter(acknowledged.values(), proxyKilled), proxyKilled),
                millis(firstAfter(deliveryNanos, proxyKilled), proxyKilled),
                longestPauseAround(proxyKilled));
    }

    /** The latest, over the writers, of each one's first acknowledgement after {@code since}. */
    private long lastFirstAckPerWriter(long since) {
        Map<String, Long> firstPerWriter = new LinkedHashMap<>();
        acknowledged.forEach((text, at) -> {
            if (at > since) {
                firstPerWriter.merge(text.substring(0, text.indexOf('-')), at, Math::min);
            }
        });
        return firstPerWriter.size() < WRITERS
                ? Long.MAX_VALUE
                : firstPerWriter.values().stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElse(Long.MAX_VALUE);
    }

    private static long firstAfter(Iterable<Long> times, long since) {
        long first = Long.MAX_VALUE;
        for (long at : times) {
            if (at > since) {
                first = Math.min(first, at);
            }
        }
        return first;
    }

    /** The longest pause between two deliveries, from the last one before {@code at} on. */
    private String longestPauseAround(long at) {
        long longest = -1;
        long previous = Long.MIN_VALUE;
        for (long time : deliveryNanos) {
            if (previous != Long.MIN_VALUE && time > at) {
                longest = Math.max(longest, time - previous);
            }
            previous = time;
        }
        return longest < 0 ? "-" : String.format("%.1f", longest / 1e6);
    }

    private static String millis(long at, long since) {
        return at == Long.MAX_VALUE ? "-" : String.format("%.1f", (at - since) / 1e6);
    }

    private static String commit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            return git.waitFor(5, TimeUnit.SECONDS) && git.exitValue() == 0 ? out : "?";
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    /** Reference, two brokers, two proxies and three replicated servers connected to all of them. */
    private record Topology(
            List<Processes.Started> brokers,
            List<Processes.Started> proxies,
            List<Processes.Started> servers,
            List<Integer> frontends,
            List<Integer> xpubs) {
        static Topology start(Processes processes) throws IOException, InterruptedException {
            Path dir = processes.directory();
            Files.createDirectories(dir.resolve("logs"));
            int reference = Processes.freePort();
            processes.start(
                    "reference",
                    List.of(
                            "reference",
                            "--bind",
                            Processes.endpoint(reference),
                            "--data-dir",
                            dir.resolve("data/reference").toString()));
            List<Processes.Started> brokers = new ArrayList<>();
            List<Processes.Started> proxies = new ArrayList<>();
            List<Integer> frontends = new ArrayList<>();
            List<String> backends = new ArrayList<>();
            List<String> xsubs = new ArrayList<>();
            List<Integer> xpubs = new ArrayList<>();
            for (int k = 1; k <= 2; k++) {
                int front = Processes.freePort();
                int back = Processes.freePort();
                frontends.add(front);
                backends.add(Processes.endpoint(back));
                brokers.add(processes.start(
                        "broker-" + k,
                        List.of(
                                "broker",
                                "--frontend",
                                Processes.endpoint(front),
                                "--backend",
                                Processes.endpoint(back))));
                int xsub = Processes.freePort();
                int xpub = Processes.freePort();
                xsubs.add(Processes.endpoint(xsub));
                xpubs.add(xpub);
                proxies.add(processes.start(
                        "proxy-" + k,
                        List.of("proxy", "--xsub", Processes.endpoint(xsub), "--xpub", Processes.endpoint(xpub))));
            }
            Map<String, String> members = new LinkedHashMap<>();
            for (int i = 1; i <= 3; i++) {
                members.put("server-" + i, Processes.endpoint(Processes.freePort()));
            }
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : members.keySet()) {
                servers.add(processes.start(
                        name,
                        List.of(
                                "server",
                                "--name",
                                name,
                                "--broker",
                                String.join(",", backends),
                                "--proxy",
                                String.join(",", xsubs),
                                "--reference",
                                Processes.endpoint(reference),
                                "--data-dir",
                                dir.resolve("data/" + name).toString(),
                                "--admin-port",
                                "0",
                                "--advertise",
                                Processes.endpoint(Processes.freePort()),
                                "--initial-members",
                                Cluster.initialMembers(members),
                                "--log",
                                dir.resolve("logs/" + name + ".jsonl").toString())));
            }
            return new Topology(brokers, proxies, servers, frontends, xpubs);
        }

        String brokerFrontends() {
            return String.join(",", frontends.stream().map(Processes::endpoint).toList());
        }

        String proxyXpubs() {
            return String.join(",", xpubs.stream().map(Processes::endpoint).toList());
        }
    }
}
