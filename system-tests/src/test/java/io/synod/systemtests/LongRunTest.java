package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.client.ClientConfig;
import io.synod.client.Delivery;
import io.synod.client.DeliveryListener;
import io.synod.client.SynodClient;
import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 4's combined fault test on real processes: three replicated servers under a steady load of writers
 * (channel posts and private messages, each with a client id and request id, retried with the same ids) and of
 * subscribers ({@link SynodClient}: exact-topic subscriptions, gap detection and backfill from history) while the
 * leader is killed with {@code kill -9} and restarted, then a follower, and a fourth server joins mid-run. The long
 * version repeats the kill rounds, choosing victims among all four servers.
 *
 * <p>At the end (load stopped): every acknowledged write is in its channel's history or its receiver's inbox exactly
 * once, on every server the broker reads from, and nothing else is; every server reports the same applied index and
 * state digest (a hash chain over every applied command); every subscriber received, for each of its topics, every
 * sequence number from 1 to the last, in order, once, with the message the history holds for it, and with no gap
 * skipped.
 *
 * <p>Runs: the CI version takes about 45 s of load ({@code ./mvnw -pl system-tests verify -Dtest=LongRunTest});
 * {@code -Dlongrun.seconds=600 -Dlongrun.rate=15} runs a long one (the {@link #longRun} method, bounded by the
 * given duration plus a margin); {@code -Dlongrun.join=false} leaves the fourth server out. {@code
 * -Dlongrun.seed=N} replays the victims' and the writers' choices (the timing of real processes is not
 * replayable). Per-process output, interaction logs and a per-second status timeline ({@code status-timeline.txt})
 * stay in the run directory printed at the start and in the summary. Failure messages start with {@code LONGRUN}
 * and name what broke (write not acknowledged, write lost or duplicated, digests differ, server never caught up or
 * could not restart, subscriber delivery broken).
 */
class LongRunTest {
    private static final int WRITERS = 4;
    private static final int SUBSCRIBERS = 3;
    private static final int CHANNELS = 3;
    /** Steady load between two fault events, so that every event happens under writes. */
    private static final long PAUSE_MILLIS = 3_000;
    /**
     * Each write attempt waits this long before the writer sends it again (same ids), like {@link SynodClient}'s
     * 2.5 s: every copy that reaches a server is proposed, so quick retries add load to a cluster that is slow.
     */
    private static final int WRITE_ATTEMPT_TIMEOUT_MILLIS = 3_000;
    /** Bound of the final wait for the subscribers to receive everything. */
    private static final long DELIVERY_WAIT_MILLIS = 30_000;

    @Test
    @Timeout(300)
    @DisabledIfSystemProperty(named = "longrun.seconds", matches = ".+")
    void ciRun() throws Exception {
        new Run(Settings.fromProperties(45, 12)).execute();
    }

    @Test
    @Timeout(3_600)
    @EnabledIfSystemProperty(named = "longrun.seconds", matches = "\\d+")
    void longRun() throws Exception {
        Settings settings = Settings.fromProperties(45, 12);
        assertThat(settings.loadSeconds)
                .as("-Dlongrun.seconds bounded by the method's timeout")
                .isLessThan(3_000);
        new Run(settings).execute();
    }

    /**
     * The run's parameters: load duration, total write rate, seed, whether a fourth server joins, and how many slots
     * apart the servers snapshot (small, so restarted servers and the joiner catch up by installing checkpoints).
     */
    record Settings(long loadSeconds, double writesPerSecond, long seed, boolean join, int snapshotSlots) {
        static Settings fromProperties(long defaultSeconds, double defaultRate) {
            long seconds = Long.getLong("longrun.seconds", defaultSeconds);
            double rate = Double.parseDouble(System.getProperty("longrun.rate", String.valueOf(defaultRate)));
            long seed = Long.getLong("longrun.seed", System.nanoTime());
            if (seconds <= 0 || rate <= 0) {
                throw new IllegalArgumentException("longrun.seconds and longrun.rate must be positive");
            }
            boolean join = Boolean.parseBoolean(System.getProperty("longrun.join", "true"));
            int snapshotSlots = Integer.getInteger("longrun.snapshotSlots", 40);
            return new Settings(seconds, rate, seed, join, snapshotSlots);
        }
    }

    /** An acknowledged write: a channel post (target = channel) or a private message (target = receiver). */
    record Ack(String writer, boolean privateMessage, String target, String text) {}

    /** One delivery handed to a subscriber's listener. */
    record Received(String topic, boolean privateMessage, long seq, String text, Delivery.Source source) {}

    /** A history entry read back from a server. */
    record Stored(long seq, String text) {}

    /** One writer: a user with its own client id, writing at a fixed pace until stopped. */
    private static final class Writer implements Runnable {
        final String user;
        final Cluster.RetryingClient client;
        final Random random;
        final long intervalNanos;
        final AtomicBoolean stop;
        final List<Ack> acknowledged = Collections.synchronizedList(new ArrayList<>());
        volatile Throwable failure;
        volatile long slowestWriteMillis;
        int sequence;

        Writer(String user, String broker, long seed, long intervalNanos, AtomicBoolean stop) {
            this.user = user;
            this.client = new Cluster.RetryingClient(broker, "longrun-" + user, WRITE_ATTEMPT_TIMEOUT_MILLIS);
            this.random = new Random(seed);
            this.intervalNanos = intervalNanos;
            this.stop = stop;
        }

        @Override
        public void run() {
            try {
                long next = System.nanoTime();
                while (!stop.get()) {
                    writeOne();
                    next += intervalNanos;
                    long sleepNanos = next - System.nanoTime();
                    if (sleepNanos > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleepNanos);
                    } else {
                        next = System.nanoTime(); // fell behind during a fault: no burst to catch up
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        private void writeOne() {
            String text = user + "-" + sequence++;
            long started = System.nanoTime();
            Ack ack;
            if (random.nextInt(10) < 7) {
                String channel = channel(random.nextInt(CHANNELS));
                client.write("publish", Map.of("user", user, "channel", channel, "message", text));
                ack = new Ack(user, false, channel, text);
            } else {
                String receiver = subscriber(random.nextInt(SUBSCRIBERS));
                client.write("message", Map.of("src", user, "dst", receiver, "message", text));
                ack = new Ack(user, true, receiver, text);
            }
            acknowledged.add(ack);
            slowestWriteMillis =
                    Math.max(slowestWriteMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /** Records every delivery of one {@link SynodClient} (its listener runs on the client's delivery thread). */
    private static final class Recorder implements DeliveryListener {
        final List<Received> received = Collections.synchronizedList(new ArrayList<>());
        final List<String> skippedGaps = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onDelivery(Delivery delivery) {
            Publication p = delivery.publication();
            boolean privateMessage = p instanceof Publication.DirectMessage;
            String text = switch (p) {
                case Publication.ChannelPost post -> post.message();
                case Publication.DirectMessage dm -> dm.message();
                case Publication.SocialPost post -> post.message();
                case Publication.Notification n -> n.message();
                case Publication.SessionDelivery d -> throw new AssertionError("the client hands over its content");
            };
            received.add(new Received(delivery.topic(), privateMessage, delivery.seq(), text, delivery.source()));
        }

        @Override
        public void onGapSkipped(String topic, long fromSeq, long toSeq) {
            skippedGaps.add(topic + " " + fromSeq + ".." + toSeq + " at " + Instant.now());
        }

        /** The deliveries of one topic (and kind), in the order they were delivered. */
        List<Received> of(String topic, boolean privateMessage) {
            synchronized (received) {
                return received.stream()
                        .filter(r -> r.topic().equals(topic) && r.privateMessage() == privateMessage)
                        .toList();
            }
        }
    }

    /** The checker's client id, to find its reads in the servers' interaction logs. */
    private static final String CHECKER_ID = "longrun-checker";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code topic@after_seq} of a checker's history read in an interaction-log line; "" for anything else. */
    static String readPage(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            JsonNode data = node.path("data");
            if (!"in".equals(node.path("dir").asText())) {
                return "";
            }
            String kind = node.path("kind").asText();
            if ("history".equals(kind)) {
                return "channel:" + data.path("channel").asText() + "@"
                        + data.path("after_seq").asLong();
            }
            if ("private_history".equals(kind)) {
                return "dm:" + data.path("user").asText() + "@"
                        + data.path("after_seq").asLong();
            }
            return "";
        } catch (IOException e) {
            return ""; // a line cut by kill -9
        }
    }

    static String channel(int i) {
        return "ch-" + i;
    }

    static String subscriber(int i) {
        return "sub-" + i;
    }

    /** One execution: the cluster, the load, the faults, the checks and the summary. */
    private static final class Run {
        final Settings settings;
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final Map<String, List<String>> argumentsByName = new LinkedHashMap<>();
        /** The servers running now; read by the status sampler's thread too. */
        final Map<String, Processes.Started> running = Collections.synchronizedMap(new LinkedHashMap<>());

        final Random random;
        final long startNanos = System.nanoTime();
        long loadStartNanos;
        int kills;
        int restarts;
        int joins;

        Run(Settings settings) {
            this.settings = settings;
            this.random = new Random(settings.seed);
        }

        void event(String what) {
            String line = String.format(
                    Locale.ROOT, "%s +%6.1fs %s", Instant.now(), (System.nanoTime() - startNanos) / 1e9, what);
            events.add(line);
            System.out.println("longrun: " + line);
        }

        void execute() throws Exception {
            try (Cluster cluster = new Cluster("longrun")) {
                System.out.println("longrun: seed=" + settings.seed + " seconds=" + settings.loadSeconds + " rate="
                        + settings.writesPerSecond + " join=" + settings.join + " run directory "
                        + cluster.processes.directory());
                List<String> names = List.of("server-1", "server-2", "server-3");
                Map<String, String> endpoints = new LinkedHashMap<>();
                for (String name : names) {
                    endpoints.put(name, Processes.endpoint(Processes.freePort()));
                }
                String members = Cluster.initialMembers(endpoints);
                for (String name : names) {
                    argumentsByName.put(
                            name,
                            List.of(
                                    "--initial-members",
                                    members,
                                    "--snapshot-interval-slots",
                                    String.valueOf(settings.snapshotSlots)));
                    running.put(name, cluster.startServer(name, argumentsByName.get(name)));
                }
                argumentsByName.put(
                        "server-4",
                        List.of(
                                "--initial-members",
                                members,
                                "--join",
                                "--snapshot-interval-slots",
                                String.valueOf(settings.snapshotSlots),
                                "--paxos-endpoint",
                                Processes.endpoint(Processes.freePort())));
                event("leader " + leader().name());
                AtomicBoolean stopSampler = new AtomicBoolean();
                Thread sampler =
                        startStatusSampler(cluster.processes.directory().resolve("status-timeline.txt"), stopSampler);
                try {
                    withLoad(cluster);
                } finally {
                    stopSampler.set(true);
                    sampler.join(10_000);
                }
            }
        }

        List<Processes.Started> servers() {
            synchronized (running) {
                return List.copyOf(running.values());
            }
        }

        /**
         * Every second, one line per running server (role, leader, ballot, indexes, writes waiting) into
         * {@code status-timeline.txt} in the run directory: the evidence to read when a check fails.
         */
        Thread startStatusSampler(Path file, AtomicBoolean stop) {
            Thread sampler = new Thread(
                    () -> {
                        try (var out = Files.newBufferedWriter(file)) {
                            while (!stop.get()) {
                                for (Processes.Started server : servers()) {
                                    Map<String, Object> st = Cluster.status(server);
                                    out.write(Instant.now() + " " + server.name() + " role=" + st.get("role")
                                            + " leader=" + st.get("leader") + " ballot=" + st.get("ballot")
                                            + " decided=" + st.get("decided_index") + " applied="
                                            + st.get("applied_index") + " snapshot=" + st.get("snapshot_index")
                                            + " pending_writes=" + st.get("pending_writes") + " writes_expired="
                                            + st.get("writes_expired") + " members=" + st.get("members")
                                            + " paxos_links=" + st.get("paxos_links"));
                                    out.newLine();
                                }
                                out.flush();
                                Thread.sleep(1_000);
                            }
                        } catch (IOException e) {
                            System.out.println("longrun: status sampler stopped: " + e);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "longrun-status");
            sampler.setDaemon(true);
            sampler.start();
            return sampler;
        }

        /**
         * The running server that reports role leader with the highest ballot, within the bound. A deposed leader
         * may still report its role until it hears the higher ballot, so the first claim is not enough.
         */
        Processes.Started leader() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Cluster.WAIT_MILLIS_MAX);
            while (System.nanoTime() < deadline) {
                Processes.Started best = null;
                long[] bestBallot = null;
                for (Processes.Started server : servers()) {
                    Map<String, Object> status = Cluster.status(server);
                    if (!"leader".equals(status.get("role"))) {
                        continue;
                    }
                    long[] ballot = ballot(status.get("ballot"));
                    if (best == null
                            || ballot[0] > bestBallot[0]
                            || (ballot[0] == bestBallot[0] && ballot[1] > bestBallot[1])) {
                        best = server;
                        bestBallot = ballot;
                    }
                }
                if (best != null) {
                    return best;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("LONGRUN NO LEADER among " + running.keySet() + " within "
                    + Cluster.WAIT_MILLIS_MAX + " ms; events " + events);
        }

        /** A {@code round.node} ballot from /status as two numbers; (-1, -1) if unreadable. */
        static long[] ballot(Object value) {
            String[] parts = String.valueOf(value).split("\\.");
            try {
                return new long[] {Long.parseLong(parts[0]), parts.length > 1 ? Long.parseLong(parts[1]) : -1};
            } catch (NumberFormatException e) {
                return new long[] {-1, -1};
            }
        }

        void withLoad(Cluster cluster) throws Exception {
            String broker = Processes.endpoint(cluster.brokerFrontend);
            String proxy = Processes.endpoint(cluster.proxyXpub);
            List<SynodClient> subscribers = new ArrayList<>();
            List<Recorder> recorders = new ArrayList<>();
            List<Writer> writers = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            try (Cluster.RetryingClient checker = new Cluster.RetryingClient(broker, CHECKER_ID)) {
                checker.write("login", Map.of("user", "creator"));
                for (int c = 0; c < CHANNELS; c++) {
                    checker.write("channel", Map.of("channel", channel(c)));
                }
                for (int s = 0; s < SUBSCRIBERS; s++) {
                    Recorder recorder = new Recorder();
                    SynodClient client = SynodClient.connect(ClientConfig.defaults(broker, proxy), recorder);
                    subscribers.add(client);
                    recorders.add(recorder);
                    assertThat(client.login(subscriber(s)).ok()).isTrue();
                    for (int c = 0; c < CHANNELS; c++) {
                        client.subscribeFrom(channel(c), 0);
                    }
                }
                long intervalNanos = (long) (1e9 * WRITERS / settings.writesPerSecond);
                for (int w = 0; w < WRITERS; w++) {
                    Writer writer = new Writer("writer-" + w, broker, settings.seed + w, intervalNanos, stop);
                    writer.client.write("login", Map.of("user", writer.user));
                    writers.add(writer);
                }
                for (Writer writer : writers) {
                    Thread thread = new Thread(writer, "longrun-" + writer.user);
                    threads.add(thread);
                    thread.start();
                }
                loadStartNanos = System.nanoTime();
                event("load started: " + WRITERS + " writers, " + SUBSCRIBERS + " subscribers");

                faults(cluster, writers);

                stop.set(true);
                for (Thread thread : threads) {
                    thread.join(Cluster.WAIT_MILLIS_MAX + 5_000);
                    assertThat(thread.isAlive())
                            .as("%s stopped", thread.getName())
                            .isFalse();
                }
                event("load stopped");
                for (Writer writer : writers) {
                    if (writer.failure != null) {
                        throw new AssertionError(
                                "LONGRUN WRITE NOT ACKNOWLEDGED: " + writer.user + " after "
                                        + writer.acknowledged.size() + " writes; events " + events,
                                writer.failure);
                    }
                }
                verify(cluster, checker, writers, recorders);
            } finally {
                stop.set(true);
                for (Thread thread : threads) {
                    thread.join(Cluster.WAIT_MILLIS_MAX + 5_000);
                }
                writers.forEach(w -> w.client.close());
                subscribers.forEach(SynodClient::close);
                System.out.println("longrun: run directory " + cluster.processes.directory());
            }
        }

        /** Kill rounds until the load has run its duration; the fourth server joins in the first round. */
        void faults(Cluster cluster, List<Writer> writers) throws Exception {
            long endNanos = loadStartNanos + TimeUnit.SECONDS.toNanos(settings.loadSeconds);
            int round = 0;
            do {
                round++;
                Thread.sleep(PAUSE_MILLIS);
                killLeaderAndRestart(cluster, writers);
                Thread.sleep(PAUSE_MILLIS);
                killFollowerAndRestart(cluster, writers);
                if (round == 1 && settings.join) {
                    Thread.sleep(PAUSE_MILLIS);
                    join(cluster, "server-4", writers);
                }
                checkWriters(writers);
            } while (System.nanoTime() + roundEstimateNanos() < endNanos);
            while (System.nanoTime() < endNanos) {
                checkWriters(writers);
                Thread.sleep(200);
            }
            event(round + " fault rounds done");
        }

        /** A kill round takes about this long (pauses, elections, restarts). */
        long roundEstimateNanos() {
            return TimeUnit.MILLISECONDS.toNanos(2 * PAUSE_MILLIS + 8_000);
        }

        void checkWriters(List<Writer> writers) {
            for (Writer writer : writers) {
                if (writer.failure != null) {
                    throw new AssertionError(
                            "LONGRUN WRITE NOT ACKNOWLEDGED: " + writer.user + " failed during the faults; events "
                                    + events,
                            writer.failure);
                }
            }
        }

        void killLeaderAndRestart(Cluster cluster, List<Writer> writers) throws Exception {
            Processes.Started leader = leader();
            event("kill -9 leader " + leader.name() + " (acknowledged so far " + acknowledged(writers) + ")");
            Processes.kill(leader);
            kills++;
            running.remove(leader.name());
            Processes.Started next = leader();
            assertThat(next.name()).as("a new leader").isNotEqualTo(leader.name());
            event("new leader " + next.name());
            Thread.sleep(PAUSE_MILLIS);
            restart(cluster, leader.name(), writers);
        }

        void killFollowerAndRestart(Cluster cluster, List<Writer> writers) throws Exception {
            Processes.Started leader = leader();
            List<Processes.Started> followers =
                    servers().stream().filter(s -> s != leader).toList();
            Processes.Started victim = followers.get(random.nextInt(followers.size()));
            event("kill -9 follower " + victim.name() + " (leader " + leader.name() + ", acknowledged so far "
                    + acknowledged(writers) + ")");
            Processes.kill(victim);
            kills++;
            running.remove(victim.name());
            Thread.sleep(PAUSE_MILLIS);
            restart(cluster, victim.name(), writers);
        }

        void restart(Cluster cluster, String name, List<Writer> writers) throws Exception {
            Processes.Started server;
            try {
                server = cluster.startServer(name, argumentsByName.get(name));
            } catch (IllegalStateException e) {
                throw new AssertionError(
                        "LONGRUN SERVER COULD NOT RESTART: " + name + " on its data directory " + cluster.dir(name)
                                + "; events " + events,
                        e);
            }
            running.put(name, server);
            restarts++;
            event("restarted " + name);
            awaitCaughtUp(server, writers);
        }

        void join(Cluster cluster, String name, List<Writer> writers) throws Exception {
            Processes.Started server = cluster.startServer(name, argumentsByName.get(name));
            running.put(name, server);
            joins++;
            event("started " + name + " with --join");
            awaitVoter(server, name);
            event(name + " is a voter");
            awaitCaughtUp(server, writers);
        }

        /** Waits (bounded) until {@code server} applied at least what the leader had applied when the wait began. */
        void awaitCaughtUp(Processes.Started server, List<Writer> writers) throws InterruptedException {
            Processes.Started leader = leader();
            long target = Cluster.appliedIndex(leader);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Cluster.WAIT_MILLIS_MAX);
            long applied = -1;
            while (System.nanoTime() < deadline) {
                applied = Cluster.appliedIndex(server);
                if (applied >= target && target >= 0) {
                    event(server.name() + " caught up: applied " + applied + " >= leader " + leader.name() + "'s "
                            + target);
                    return;
                }
                checkWriters(writers);
                Thread.sleep(100);
            }
            throw new AssertionError("LONGRUN SERVER NEVER CAUGHT UP: " + server.name() + " applied " + applied
                    + " < " + target + " (leader " + leader.name() + ") within " + Cluster.WAIT_MILLIS_MAX
                    + " ms; events " + events);
        }

        @SuppressWarnings("unchecked")
        void awaitVoter(Processes.Started server, String name) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Cluster.WAIT_MILLIS_MAX);
            Map<String, Object> last = Map.of();
            while (System.nanoTime() < deadline) {
                last = Cluster.status(server);
                if (last.get("members") instanceof List<?> list) {
                    for (Object m : list) {
                        Map<String, Object> member = (Map<String, Object>) m;
                        if (name.equals(member.get("name")) && "voter".equals(member.get("role"))) {
                            return;
                        }
                    }
                }
                Thread.sleep(100);
            }
            throw new AssertionError("LONGRUN SERVER NEVER CAUGHT UP: " + name + " not a voter within "
                    + Cluster.WAIT_MILLIS_MAX + " ms; last status " + last + "; events " + events);
        }

        static int acknowledged(List<Writer> writers) {
            return writers.stream().mapToInt(w -> w.acknowledged.size()).sum();
        }

        void verify(Cluster cluster, Cluster.RetryingClient checker, List<Writer> writers, List<Recorder> recorders)
                throws InterruptedException {
            String converged;
            try {
                converged = Cluster.awaitConverged(servers());
            } catch (AssertionError e) {
                throw new AssertionError(
                        "LONGRUN DIGESTS DIFFER OR A SERVER LAGS: " + e.getMessage() + "; events " + events, e);
            }
            event("converged at " + converged + " on " + running.keySet());
            for (Processes.Started server : servers()) {
                event(server.name() + " snapshots " + Cluster.status(server).get("snapshots"));
            }

            List<Ack> acks = new ArrayList<>();
            writers.forEach(w -> acks.addAll(w.acknowledged));
            Map<String, List<Ack>> expectedByTopic = new TreeMap<>();
            for (Ack ack : acks) {
                expectedByTopic
                        .computeIfAbsent(key(ack.privateMessage(), ack.target()), k -> new ArrayList<>())
                        .add(ack);
            }
            for (int c = 0; c < CHANNELS; c++) {
                expectedByTopic.putIfAbsent(key(false, channel(c)), new ArrayList<>());
            }
            for (int s = 0; s < SUBSCRIBERS; s++) {
                expectedByTopic.putIfAbsent(key(true, subscriber(s)), new ArrayList<>());
            }

            // Every topic's whole history, in passes; every read must hold exactly the acknowledged writes. The
            // broker hands consecutive requests to the servers in turn, so each pass is padded with cheap reads
            // to shift the next pass by one server; the servers' interaction logs then show that every server
            // answered every page of every topic at least once.
            Map<String, List<Stored>> historyByTopic = new TreeMap<>();
            Set<String> pages = new TreeSet<>();
            int n = running.size();
            int passes = 0;
            Map<String, Set<String>> missing;
            do {
                int requests = 0;
                for (Map.Entry<String, List<Ack>> topic : expectedByTopic.entrySet()) {
                    List<Stored> history = new ArrayList<>();
                    requests += readHistory(checker, topic.getKey(), history, pages);
                    checkHistory(topic.getKey(), passes, history, topic.getValue());
                    historyByTopic.put(topic.getKey(), history);
                }
                for (; requests % n != 1 % n; requests++) {
                    checker.call("users", Map.of());
                }
                passes++;
                // our broker sends every request to the leader it knows (docs/protocol.md section 1), so a page
                // must be answered by some server, not by each: the pages no server has answered yet
                Map<String, Set<String>> perServer = unreadPages(cluster, pages);
                Set<String> nowhere = new TreeSet<>(pages);
                if (perServer.size() < n) {
                    nowhere.clear(); // a server answered every page
                }
                perServer.values().forEach(nowhere::retainAll);
                missing = nowhere.isEmpty() ? Map.of() : Map.of("every server", nowhere);
            } while (passes < 2 || (!missing.isEmpty() && passes < 3 * n));
            assertThat(missing)
                    .as("LONGRUN READ COVERAGE (test harness): pages of the history no server answered," + " after "
                            + passes + " passes")
                    .isEmpty();
            event("histories checked: " + acks.size() + " acknowledged writes, each once, " + passes
                    + " passes; some server answered every page (" + pages.size() + ") at least once");

            long deliveriesChecked = 0;
            long fromHistory = 0;
            List<String> problems = new ArrayList<>();
            awaitDeliveries(recorders, historyByTopic);
            for (int s = 0; s < SUBSCRIBERS; s++) {
                Recorder recorder = recorders.get(s);
                String user = subscriber(s);
                problems.addAll(recorder.skippedGaps.stream()
                        .map(g -> user + ": gap skipped " + g)
                        .toList());
                List<String> topics = new ArrayList<>();
                for (int c = 0; c < CHANNELS; c++) {
                    topics.add(key(false, channel(c)));
                }
                topics.add(key(true, subscriber(s)));
                for (String topic : topics) {
                    List<Received> got = recorder.of(name(topic), topic.startsWith("dm:"));
                    deliveriesChecked += got.size();
                    fromHistory += got.stream()
                            .filter(r -> r.source() == Delivery.Source.HISTORY)
                            .count();
                    problems.addAll(checkDeliveries(user, topic, got, historyByTopic.get(topic)));
                }
            }
            long duplicates =
                    problems.stream().filter(p -> p.contains("duplicate")).count();
            long gaps = problems.stream().filter(p -> p.contains("gap")).count();
            long retried = writers.stream().mapToLong(w -> w.client.retries()).sum();
            long slowest =
                    writers.stream().mapToLong(w -> w.slowestWriteMillis).max().orElse(0);
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "longrun summary: seed=%d duration=%.1fs load=%ds rate=%.1f/s writes acknowledged=%d"
                            + " (channel posts %d, private messages %d) writes retried=%d slowest write=%d ms"
                            + " kills=%d restarts=%d joins=%d deliveries checked=%d (from history %d)"
                            + " gaps=%d duplicates=%d problems=%d converged=%s%n",
                    settings.seed,
                    seconds,
                    settings.loadSeconds,
                    settings.writesPerSecond,
                    acks.size(),
                    acks.stream().filter(a -> !a.privateMessage()).count(),
                    acks.stream().filter(Ack::privateMessage).count(),
                    retried,
                    slowest,
                    kills,
                    restarts,
                    joins,
                    deliveriesChecked,
                    fromHistory,
                    gaps,
                    duplicates,
                    problems.size(),
                    converged);
            events.forEach(e -> System.out.println("longrun event: " + e));
            assertThat(problems)
                    .as("LONGRUN SUBSCRIBER DELIVERY BROKEN (gap, duplicate, order or content); events " + events)
                    .isEmpty();
            assertThat(acks.size()).as("the load made progress").isGreaterThan(0);
        }

        /** Waits (bounded) until every subscriber delivered, per topic, up to the last seq of the history. */
        void awaitDeliveries(List<Recorder> recorders, Map<String, List<Stored>> historyByTopic)
                throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DELIVERY_WAIT_MILLIS);
            while (System.nanoTime() < deadline) {
                boolean complete = true;
                for (int s = 0; s < SUBSCRIBERS && complete; s++) {
                    Recorder recorder = recorders.get(s);
                    for (int c = 0; c < CHANNELS && complete; c++) {
                        complete = recorder.of(channel(c), false).size()
                                >= historyByTopic.get(key(false, channel(c))).size();
                    }
                    complete = complete
                            && recorder.of(subscriber(s), true).size()
                                    >= historyByTopic
                                            .get(key(true, subscriber(s)))
                                            .size();
                }
                if (complete) {
                    event("every subscriber received as many deliveries as the histories hold");
                    return;
                }
                Thread.sleep(100);
            }
            event("subscribers still short of the histories after " + DELIVERY_WAIT_MILLIS + " ms");
        }

        static String key(boolean privateMessage, String name) {
            return (privateMessage ? "dm:" : "channel:") + name;
        }

        static String name(String key) {
            return key.substring(key.indexOf(':') + 1);
        }

        /**
         * Reads a whole channel history or inbox into {@code all}, page by page, through the broker; adds each page
         * asked ({@code topic@after_seq}) to {@code pages}; returns the number of requests sent.
         */
        int readHistory(Cluster.RetryingClient checker, String topic, List<Stored> all, Set<String> pages) {
            long after = 0;
            for (int page = 1; page < 10_000; page++) {
                pages.add(topic + "@" + after);
                Map<String, Object> fields = new HashMap<>();
                if (topic.startsWith("dm:")) {
                    fields.put("user", name(topic));
                } else {
                    fields.put("channel", name(topic));
                }
                fields.put("after_seq", after);
                fields.put("limit", 500);
                Envelope reply = checker.call(topic.startsWith("dm:") ? "private_history" : "history", fields);
                assertThat(reply.data().get("status"))
                        .as("history of %s: %s", topic, reply.data())
                        .isEqualTo("OK");
                for (Map<String, Object> m : WireClient.messages(reply)) {
                    all.add(new Stored(((Number) m.get("seq")).longValue(), String.valueOf(m.get("message"))));
                }
                if (!Boolean.TRUE.equals(reply.data().get("more"))) {
                    return page;
                }
                after = ((Number) reply.data().get("next_seq")).longValue();
            }
            throw new AssertionError("history of " + topic + " never ended");
        }

        /**
         * Per running server, the pages in {@code pages} that its interaction log shows no read of by the checker
         * (an empty map: every server answered every page).
         */
        Map<String, Set<String>> unreadPages(Cluster cluster, Set<String> pages) {
            Map<String, Set<String>> missing = new TreeMap<>();
            for (String server : running.keySet()) {
                Set<String> unread = new TreeSet<>(pages);
                try (Stream<String> lines = Files.lines(Path.of(cluster.log(server)))) {
                    lines.filter(line -> line.contains("\"" + CHECKER_ID + "\""))
                            .map(LongRunTest::readPage)
                            .forEach(unread::remove);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (!unread.isEmpty()) {
                    missing.put(server, unread);
                }
            }
            return missing;
        }

        /** Every acknowledged write once, nothing else, seqs 1..n in order. */
        void checkHistory(String topic, int read, List<Stored> history, List<Ack> expected) {
            Map<String, Integer> count = new HashMap<>();
            history.forEach(h -> count.merge(h.text(), 1, Integer::sum));
            List<String> lost = expected.stream()
                    .map(Ack::text)
                    .filter(t -> !count.containsKey(t))
                    .toList();
            List<String> twice = count.entrySet().stream()
                    .filter(e -> e.getValue() > 1)
                    .map(Map.Entry::getKey)
                    .toList();
            List<String> expectedTexts = expected.stream().map(Ack::text).toList();
            List<String> unexpected = count.keySet().stream()
                    .filter(t -> !expectedTexts.contains(t))
                    .toList();
            String context = topic + " read " + read + " (" + history.size() + " stored, " + expected.size()
                    + " acknowledged); events " + events;
            assertThat(lost).as("LONGRUN ACKNOWLEDGED WRITE LOST in " + context).isEmpty();
            assertThat(twice)
                    .as("LONGRUN ACKNOWLEDGED WRITE DUPLICATED in " + context)
                    .isEmpty();
            assertThat(unexpected)
                    .as("LONGRUN UNACKNOWLEDGED WRITE STORED in " + context)
                    .isEmpty();
            for (int i = 0; i < history.size(); i++) {
                assertThat(history.get(i).seq())
                        .as("LONGRUN HISTORY SEQ GAP in " + context + " at position " + i)
                        .isEqualTo(i + 1L);
            }
            // Each writer's writes to this topic in the order it made them (one write at a time per writer).
            for (String writer : expected.stream().map(Ack::writer).distinct().toList()) {
                List<String> mine = expected.stream()
                        .filter(a -> a.writer().equals(writer))
                        .map(Ack::text)
                        .toList();
                List<String> stored = history.stream()
                        .map(Stored::text)
                        .filter(mine::contains)
                        .toList();
                assertThat(stored)
                        .as("LONGRUN WRITER ORDER BROKEN in " + context)
                        .isEqualTo(mine);
            }
        }

        /** A subscriber's deliveries of one topic against the history: 1..n in order, once each, same text. */
        static List<String> checkDeliveries(String who, String topic, List<Received> got, List<Stored> history) {
            List<String> problems = new ArrayList<>();
            Map<Long, Integer> seen = new HashMap<>();
            long previous = 0;
            for (Received r : got) {
                if (seen.merge(r.seq(), 1, Integer::sum) > 1) {
                    problems.add(who + " " + topic + ": duplicate seq " + r.seq() + " (" + r.source() + ")");
                } else if (r.seq() != previous + 1) {
                    problems.add(who + " " + topic + ": gap or disorder, seq " + r.seq() + " after " + previous + " ("
                            + r.source() + ")");
                }
                previous = Math.max(previous, r.seq());
                if (r.seq() >= 1 && r.seq() <= history.size()) {
                    String stored = history.get((int) r.seq() - 1).text();
                    if (!stored.equals(r.text())) {
                        problems.add(who + " " + topic + ": seq " + r.seq() + " delivered '" + r.text()
                                + "' but history holds '" + stored + "'");
                    }
                } else {
                    problems.add(
                            who + " " + topic + ": seq " + r.seq() + " beyond the history (" + history.size() + ")");
                }
            }
            if (previous < history.size()) {
                problems.add(who + " " + topic + ": gap at the end, delivered up to seq " + previous + " of "
                        + history.size());
            }
            return problems;
        }
    }
}
