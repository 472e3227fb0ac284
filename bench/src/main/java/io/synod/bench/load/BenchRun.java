package io.synod.bench.load;

import io.synod.messaging.Forwarder;
import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Replies;
import io.synod.protocol.Services;
import io.synod.protocol.Social;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * One bench run against a running cluster: setup (channels, subscribers, logins), warm-up,
 * measurement with one progress line per second, drain, summary.
 *
 * <p>Threads: the caller's thread creates the channels and samples the {@link BenchMeter};
 * {@code driverThreads} {@link LoadDriver}s and one {@link SubscriberLoop} own their sockets (the setup
 * sockets in one {@link ZContext}; the load and the subscriptions speak ZeroMQ's protocol in the owning
 * thread, {@link io.synod.messaging.zmtp.ZmtpClient}). Every thread is joined (bounded) and every socket
 * closed before {@link #run} returns or throws.
 */
public final class BenchRun {
    private static final long SUBSCRIBE_SETTLE_MILLIS = 300;
    private static final long PUBLICATION_DRAIN_MILLIS = 500;
    private static final long THREAD_JOIN_MARGIN_MILLIS = 5_000;
    /**
     * The setup sockets' context (the load and the subscriptions do not use it): one I/O thread, so that a
     * {@link io.synod.messaging.ZmqOptions#nudge} reaches the thread a stuck setup socket is on.
     */
    private static final int IO_THREADS = 1;
    /** Sockets for the private workload's user topics, per copy (users are spread over them). */
    private static final int USER_TOPIC_SOCKETS_MAX = 16;

    private final BenchConfig config;
    private final Consumer<String> progress;
    private final BenchMeter meter = new BenchMeter();
    private final ProcessClock clock = ProcessClock.system();

    /**
     * @param progress receives the progress lines (one per second) and setup news
     */
    public BenchRun(BenchConfig config, Consumer<String> progress) {
        this.config = config;
        this.progress = progress;
    }

    /**
     * Runs the whole thing.
     *
     * @throws BenchException if setup fails or a thread fails (nothing is summarised then)
     * @throws InterruptedException if interrupted (threads are stopped first)
     */
    public BenchResult run() throws InterruptedException {
        if (config.workload() == Workload.PROXY_FANOUT) {
            try (Forwarder proxy = ProxyFanoutPublisher.startProxy()) {
                progress.accept("bench: proxy of its own: XSUB " + proxy.frontendEndpoint() + ", XPUB "
                        + proxy.backendEndpoint());
                return run(proxy.frontendEndpoint(), socket -> proxy.backendEndpoint());
            }
        }
        return run(null, config::proxyEndpoint);
    }

    /**
     * @param publishEndpoint the XSUB of the bench's own proxy (proxy-fanout: one {@link ProxyFanoutPublisher}
     *     instead of the clients), or null
     */
    private BenchResult run(String publishEndpoint, IntFunction<String> proxyEndpoint) throws InterruptedException {
        BenchControl control = new BenchControl(publishEndpoint != null ? 1 : config.driverThreads());
        ProxyFanoutPublisher.Credit credit = publishEndpoint != null ? new ProxyFanoutPublisher.Credit() : null;
        List<Thread> drivers = new ArrayList<>();
        Thread subscriberThread = null;
        SubscriberLoop subscribers;
        try (ZContext context = new ZContext(IO_THREADS)) {
            try {
                if (publishEndpoint == null) {
                    createChannels(context, config, clock);
                }
                subscribers = new SubscriberLoop(proxyEndpoint, subscriberTopics(), clock, meter, control, credit);
                subscriberThread = Thread.ofPlatform().name("bench-subscribers").start(subscribers);
                awaitReady(control.subscribersReady(), control, "the subscribers");
                if (publishEndpoint != null) {
                    ProxyFanoutPublisher publisher =
                            new ProxyFanoutPublisher(config, publishEndpoint, control, credit, ProcessClock.system());
                    drivers.add(Thread.ofPlatform().name("bench-publisher").start(publisher));
                }
                AtomicLongArray published = new AtomicLongArray(Math.max(1, config.channelCount()));
                for (int thread = 0; publishEndpoint == null && thread < config.driverThreads(); thread++) {
                    LoadDriver driver = new LoadDriver(
                            config, clientsOf(thread), context, clock, meter, control, published, 7261L + thread);
                    drivers.add(
                            Thread.ofPlatform().name("bench-driver-" + thread).start(driver));
                }
                awaitReady(
                        control.driversReady(),
                        control,
                        publishEndpoint != null ? "the publisher's subscriptions" : "the clients' logins");
                progress.accept(String.format(
                        Locale.ROOT,
                        "bench: %s, %d channel(s), %d subscriber socket(s); warm-up %s, measure %s",
                        publishEndpoint != null ? "1 publisher" : config.clients() + " client(s) logged in",
                        config.channelCount(),
                        subscriberTopics().size(),
                        BenchDurations.format(config.warmup()),
                        BenchDurations.format(config.duration())));
                Thread.sleep(SUBSCRIBE_SETTLE_MILLIS);
                Measured measured = measure(control);
                control.advance(BenchControl.Phase.DRAIN);
                joinAll(drivers, config.requestTimeout().toMillis() + THREAD_JOIN_MARGIN_MILLIS);
                Thread.sleep(PUBLICATION_DRAIN_MILLIS);
                control.advance(BenchControl.Phase.STOP);
                subscriberThread.join(THREAD_JOIN_MARGIN_MILLIS);
                failIfFailed(control);
                return result(measured, subscribers.totals());
            } finally {
                control.advance(BenchControl.Phase.STOP);
                joinAll(drivers, THREAD_JOIN_MARGIN_MILLIS);
                if (subscriberThread != null) {
                    subscriberThread.join(THREAD_JOIN_MARGIN_MILLIS);
                }
            }
        }
    }

    /** The per-second series and the window's real length. */
    private record Measured(List<BenchResult.Second> series, double seconds) {}

    /** Warm-up then measurement; returns when the window closes. */
    private Measured measure(BenchControl control) throws InterruptedException {
        long start = System.nanoTime();
        long windowStart = start + config.warmup().toNanos();
        long windowEnd = windowStart + config.duration().toNanos();
        control.advance(config.warmup().isZero() ? BenchControl.Phase.MEASURE : BenchControl.Phase.WARMUP);
        List<BenchResult.Second> series = new ArrayList<>();
        BenchMeter.Interval previous = meter.sample();
        long intervalStart = start;
        long nextTick = start + TimeUnit.SECONDS.toNanos(1);
        while (true) {
            boolean warming = control.phase() == BenchControl.Phase.WARMUP;
            long boundary = Math.min(nextTick, warming ? windowStart : windowEnd);
            sleepUntil(boundary, control);
            failIfFailed(control);
            if (warming && boundary == windowStart) {
                control.advance(BenchControl.Phase.MEASURE);
            }
            BenchMeter.Interval now = meter.sample();
            BenchResult.Second point = point(now, previous, intervalStart, boundary, windowStart);
            progress.accept(progressLine(point, boundary - start, warming));
            if (!warming) {
                series.add(point);
            }
            previous = now;
            intervalStart = boundary;
            if (boundary == windowStart) {
                nextTick = windowStart + TimeUnit.SECONDS.toNanos(1);
            } else if (boundary == nextTick) {
                nextTick += TimeUnit.SECONDS.toNanos(1);
            }
            if (boundary == windowEnd) {
                return new Measured(series, (windowEnd - windowStart) / 1e9);
            }
        }
    }

    private static BenchResult.Second point(
            BenchMeter.Interval now, BenchMeter.Interval previous, long from, long to, long windowStart) {
        BenchMeter.Counts delta = now.counts().minus(previous.counts());
        return new BenchResult.Second(
                (to - windowStart) / 1e9,
                (to - from) / 1e9,
                delta.ackedWrites(),
                delta.ackedReads(),
                delta.deliveries(),
                delta.errors(),
                delta.timeouts(),
                LatencySummary.of(now.writeMicros()),
                LatencySummary.of(now.readMicros()));
    }

    private static String progressLine(BenchResult.Second point, long elapsedNanos, boolean warming) {
        return String.format(
                Locale.ROOT,
                "%6.1fs %-7s acked %8.0f/s  reads %7.0f/s  p99 %8.2f ms  deliveries %8.0f/s  errors %d  timeouts %d",
                elapsedNanos / 1e9,
                warming ? "warm-up" : "measure",
                point.ackedPerSecond(),
                point.readsPerSecond(),
                Math.max(point.writeLatency().p99Millis(), point.readLatency().p99Millis()),
                point.deliveriesPerSecond(),
                point.errors(),
                point.timeouts());
    }

    private BenchResult result(Measured measured, SubscriberLoop.Totals totals) {
        BenchMeter.Interval window = meter.measured();
        BenchMeter.Counts counts = window.counts();
        BenchResult.Summary summary = new BenchResult.Summary(
                measured.seconds(),
                counts.ackedWrites(),
                counts.ackedReads(),
                counts.errors(),
                counts.timeouts(),
                meter.lateReplies(),
                counts.deliveries(),
                LatencySummary.of(window.writeMicros()),
                LatencySummary.of(window.readMicros()),
                LatencySummary.of(window.deliveryMicros()),
                totals.sockets(),
                totals.gaps(),
                totals.duplicates(),
                totals.outOfOrder());
        return new BenchResult(config, summary, measured.series(), meter.errorTexts(), meter.operations());
    }

    /** Creates the run's channels through the broker before any client logs in. */
    static void createChannels(ZContext context, BenchConfig config, ProcessClock clock) {
        if (config.channelCount() == 0) {
            return;
        }
        ZMQ.Socket setup = context.createSocket(SocketType.DEALER);
        try {
            setup.setLinger(0);
            setup.connect(config.brokerEndpoint(0));
            String clientId = "b" + config.runTag() + "setup";
            List<SetupCalls.Call> calls = new ArrayList<>();
            for (int channel = 0; channel < config.channelCount(); channel++) {
                Map<String, Object> fields = Map.of("channel", config.channelName(channel));
                calls.add(new SetupCalls.Call(setup, Services.CHANNEL, fields, clientId, channel + 1));
            }
            // One client id: each channel request waits for the previous one's reply (ids must rise in apply order).
            for (SetupCalls.Call call : calls) {
                Envelope reply = SetupCalls.run(
                                context, config.brokerEndpoint(0), clock, List.of(call), config.requestTimeout(), null)
                        .get(0);
                if (!SetupCalls.acceptable(reply)) {
                    throw new BenchException(
                            "cannot create channel " + call.fields().get("channel") + ": " + Replies.errorText(reply));
                }
            }
        } finally {
            setup.close();
        }
    }

    /** The topics of each SUB socket. */
    List<List<String>> subscriberTopics() {
        List<List<String>> sockets = new ArrayList<>();
        switch (config.workload()) {
            case FANOUT, PROXY_FANOUT -> {
                for (int i = 0; i < config.fanoutSubscribers(); i++) {
                    sockets.add(List.of(config.channelName(0)));
                }
            }
            case PUBLISH, MIXED -> {
                for (int copy = 0; copy < config.topicSubscribers(); copy++) {
                    for (int channel = 0; channel < config.channelCount(); channel++) {
                        sockets.add(List.of(config.channelName(channel)));
                    }
                }
            }
            case SOCIAL -> sockets.addAll(spreadUserTopics(true));
            case CELEBRITY -> throw new IllegalStateException("the celebrity workload is a CelebrityRun");
            case PRIVATE -> sockets.addAll(spreadUserTopics(false));
        }
        return sockets;
    }

    /**
     * The users' topics (their names, or their post topics), each copy spread over at most
     * {@link #USER_TOPIC_SOCKETS_MAX} sockets.
     */
    private List<List<String>> spreadUserTopics(boolean posts) {
        List<List<String>> sockets = new ArrayList<>();
        int perCopy = Math.min(config.clients(), USER_TOPIC_SOCKETS_MAX);
        for (int copy = 0; copy < config.topicSubscribers(); copy++) {
            List<List<String>> group = new ArrayList<>();
            for (int i = 0; i < perCopy; i++) {
                group.add(new ArrayList<>());
            }
            for (int user = 0; user < config.clients(); user++) {
                String name = config.userName(user);
                group.get(user % perCopy).add(posts ? Social.POSTS_TOPIC_PREFIX + name + Social.TOPIC_MARK : name);
            }
            sockets.addAll(group);
        }
        return sockets;
    }

    private List<Integer> clientsOf(int thread) {
        List<Integer> mine = new ArrayList<>();
        for (int client = thread; client < config.clients(); client += config.driverThreads()) {
            mine.add(client);
        }
        return mine;
    }

    private void awaitReady(java.util.concurrent.CountDownLatch latch, BenchControl control, String what)
            throws InterruptedException {
        long waitMillis = SetupCalls.ATTEMPTS_MAX * config.requestTimeout().toMillis() + THREAD_JOIN_MARGIN_MILLIS;
        if (!latch.await(waitMillis, TimeUnit.MILLISECONDS)) {
            throw new BenchException(what + " were not ready within " + waitMillis + " ms");
        }
        failIfFailed(control);
    }

    private static void failIfFailed(BenchControl control) {
        if (control.failure() != null) {
            throw new BenchException(control.failure());
        }
    }

    private static void sleepUntil(long deadlineNanos, BenchControl control) throws InterruptedException {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0 || control.failure() != null) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }

    private static void joinAll(List<Thread> threads, long millisEach) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(millisEach);
        }
    }
}
