package io.synod.bench.load;

import io.synod.messaging.ProcessClock;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Replies;
import io.synod.protocol.Services;
import io.synod.protocol.Social;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The 100,000-follower post (issue 21): {@code --followers} users log in and follow one author, then,
 * while {@code --clients} other users publish to channels, the author posts {@link #POSTS} times. Measures
 * how long each post takes to be accepted, the background writes' latency in the {@code --duration}
 * before the posts (whole and second by second) and in the second around each post, and then the
 * followers' {@code feed} and {@code notifications} reads (which must show the posts: they are derived
 * on read, ADR 0005).
 *
 * <p>The set-up is retried like any set-up ({@link SetupCalls}), spread over {@link #SETUP_SOCKETS}
 * sockets, {@link #SETUP_BATCH_FOLLOWERS_MAX} followers at a time: the follows of one batch go with the
 * logins of the next. The background load is the {@link LoadDriver}s' publish load. Threads and sockets
 * as in {@link BenchRun}: everything is joined and closed before {@link #run} returns or throws.
 */
public final class CelebrityRun {
    /** Followers whose login (and, one step later, follow) are sent together. */
    static final int SETUP_BATCH_FOLLOWERS_MAX = 1_000;
    /** DEALER sockets the set-up requests are spread over. */
    static final int SETUP_SOCKETS = 32;
    /** After the post's reply, the background writes are still counted as "around the post" this long. */
    public static final Duration AFTER_POST = Duration.ofSeconds(1);
    /** The author's posts, each with its own window; several, since one second's p99 is a noisy figure. */
    public static final int POSTS = 3;
    /** The background load alone between one post's window and the next post. */
    static final Duration BETWEEN_POSTS = Duration.ofSeconds(2);
    /** The author's request ids: 1 login, 2 and 3 the reads before the posts, then the posts. */
    private static final long FIRST_POST_REQUEST_ID = 4;
    /** Followers (spread evenly, the first included) whose feed and notifications are read after the post. */
    static final int FOLLOWERS_CHECKED_MAX = 20;
    /** How long the post may take to reach the subscriber on the author's topic. */
    private static final long DELIVERY_WAIT_MILLIS = 5_000;

    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long SUBSCRIBE_SETTLE_MILLIS = 300;
    private static final long THREAD_JOIN_MARGIN_MILLIS = 5_000;
    private static final int IO_THREADS = 1;

    private final BenchConfig config;
    private final Consumer<String> progress;
    private final BenchMeter meter = new BenchMeter();
    private final ProcessClock clock = ProcessClock.system();
    /** The background writes around the latest post, and its id (set by {@link #post}). */
    private Histogram lastWindow;

    private String lastPostId = "";

    public CelebrityRun(BenchConfig config, Consumer<String> progress) {
        if (config.workload() != Workload.CELEBRITY) {
            throw new IllegalArgumentException("a celebrity run needs the celebrity workload");
        }
        this.config = config;
        this.progress = progress;
    }

    /**
     * Runs the whole thing.
     *
     * @throws BenchException if the set-up, the post or a thread fails
     * @throws InterruptedException if interrupted (threads are stopped first)
     */
    public CelebrityResult run() throws InterruptedException {
        BenchControl control = new BenchControl(config.driverThreads());
        List<Thread> drivers = new ArrayList<>();
        try (ZContext context = new ZContext(IO_THREADS)) {
            try {
                BenchRun.createChannels(context, config, clock);
                ZMQ.Socket author = dealer(context);
                call(context, author, Services.LOGIN, Map.of("user", config.authorName()), 1, "log the author in");
                double setupSeconds = setUpFollowers(context);
                Envelope profile = call(
                        context, author, Services.PROFILE, linearizable(config.authorName()), 2, "read the profile");
                Envelope notes = call(
                        context,
                        author,
                        Services.NOTIFICATIONS,
                        linearizable(config.authorName()),
                        3,
                        "read the notifications");
                ZMQ.Socket sub = context.createSocket(SocketType.SUB);
                sub.setLinger(0);
                sub.connect(config.proxyEndpoint(0));
                byte[] topic = (Social.POSTS_TOPIC_PREFIX + config.authorName() + Social.TOPIC_MARK)
                        .getBytes(StandardCharsets.UTF_8);
                sub.subscribe(topic);

                AtomicLongArray published = new AtomicLongArray(Math.max(1, config.channelCount()));
                for (int thread = 0; thread < config.driverThreads(); thread++) {
                    LoadDriver driver = new LoadDriver(
                            config, clientsOf(thread), context, clock, meter, control, published, 7261L + thread);
                    drivers.add(
                            Thread.ofPlatform().name("bench-driver-" + thread).start(driver));
                }
                long readyMillis =
                        SetupCalls.ATTEMPTS_MAX * config.requestTimeout().toMillis() + THREAD_JOIN_MARGIN_MILLIS;
                if (!control.driversReady().await(readyMillis, TimeUnit.MILLISECONDS)) {
                    throw new BenchException(
                            "the background clients' logins were not ready within " + readyMillis + " ms");
                }
                failIfFailed(control);
                Thread.sleep(SUBSCRIBE_SETTLE_MILLIS);
                progress.accept(String.format(
                        Locale.ROOT,
                        "celebrity: %d background client(s) publishing; warm-up %s, then %s before the posts",
                        config.clients(),
                        BenchDurations.format(config.warmup()),
                        BenchDurations.format(config.duration())));
                control.advance(BenchControl.Phase.MEASURE);
                sleep(config.warmup(), control);
                Before before = measureBefore(control);
                Histogram during = LatencySummary.newMicrosHistogram();
                List<CelebrityResult.Post> posts = new ArrayList<>();
                for (int i = 0; i < POSTS; i++) {
                    posts.add(post(context, author, sub, i, control));
                    during.add(lastWindow);
                }
                FollowerReads reads =
                        readFollowers(context, posts.get(posts.size() - 1).index(), lastPostId);
                control.advance(BenchControl.Phase.DRAIN);
                joinAll(drivers, config.requestTimeout().toMillis() + THREAD_JOIN_MARGIN_MILLIS);
                control.advance(BenchControl.Phase.STOP);
                failIfFailed(control);
                BenchMeter.Counts counts = meter.sample().counts();
                return new CelebrityResult(
                        config,
                        setupSeconds,
                        longField(profile, "follower_count"),
                        longField(notes, "unread"),
                        posts,
                        LatencySummary.of(before.writes),
                        before.seconds,
                        before.secondP99Millis(0.5),
                        before.secondP99Millis(1),
                        LatencySummary.of(during),
                        posts.stream()
                                .mapToDouble(CelebrityResult.Post::windowSeconds)
                                .sum(),
                        reads.feedMillis,
                        reads.notificationsMillis,
                        LatencySummary.of(reads.all),
                        reads.checked,
                        reads.seeing,
                        reads.counting,
                        counts.errors(),
                        counts.timeouts(),
                        meter.errorTexts());
            } finally {
                control.advance(BenchControl.Phase.STOP);
                joinAll(drivers, THREAD_JOIN_MARGIN_MILLIS);
            }
        }
    }

    /** The background writes of the window before the posts, whole and the p99 of each second. */
    private record Before(Histogram writes, List<Double> secondP99s, double seconds) {
        /** The p99 of the second at {@code quantile} (0.5: the median, 1: the highest), sorted; 0 if none. */
        double secondP99Millis(double quantile) {
            if (secondP99s.isEmpty()) {
                return 0;
            }
            List<Double> sorted = secondP99s.stream().sorted().toList();
            return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size())));
        }
    }

    /** The {@code --duration} before the posts, sampled every second. */
    private Before measureBefore(BenchControl control) throws InterruptedException {
        meter.sample();
        Histogram writes = LatencySummary.newMicrosHistogram();
        List<Double> secondP99s = new ArrayList<>();
        long start = System.nanoTime();
        long windowEnd = start + config.duration().toNanos();
        for (long second = 1; ; second++) {
            long end = Math.min(windowEnd, start + TimeUnit.SECONDS.toNanos(second));
            sleepUntil(end, control);
            Histogram interval = meter.sample().writeMicros();
            writes.add(interval);
            if (interval.getTotalCount() > 0) {
                secondP99s.add(LatencySummary.of(interval).p99Millis());
            }
            if (end == windowEnd) {
                return new Before(writes, secondP99s, (System.nanoTime() - start) / 1e9);
            }
        }
    }

    /**
     * The author's post number {@code number}, timed from send to reply and to its delivery on the
     * author's topic; then the background writes until {@link #AFTER_POST} after the reply, kept in
     * {@link #lastWindow}. A pause of {@link #BETWEEN_POSTS} first (after the previous window).
     */
    private CelebrityResult.Post post(
            ZContext context, ZMQ.Socket author, ZMQ.Socket sub, int number, BenchControl control)
            throws InterruptedException {
        if (number > 0) {
            sleep(BETWEEN_POSTS, control);
        }
        meter.sample();
        long sent = System.nanoTime();
        Envelope reply = call(
                context,
                author,
                Services.POST,
                Map.of("user", config.authorName(), "message", "bench celebrity post " + (number + 1)),
                FIRST_POST_REQUEST_ID + number,
                "post");
        long accepted = System.nanoTime();
        long index = reply.data().get("index") instanceof Long value ? value : 0;
        lastPostId = reply.data().get("id") instanceof String id ? id : "";
        progress.accept(String.format(
                Locale.ROOT,
                "celebrity: post %d of %d accepted in %.2f ms (index %d)",
                number + 1,
                POSTS,
                (accepted - sent) / 1e6,
                index));
        double deliveryMillis = awaitDelivery(sub, lastPostId, sent);
        sleepUntil(accepted + AFTER_POST.toNanos(), control);
        lastWindow = meter.sample().writeMicros();
        return new CelebrityResult.Post(
                (accepted - sent) / 1e6,
                index,
                deliveryMillis,
                LatencySummary.of(lastWindow),
                (System.nanoTime() - sent) / 1e9);
    }

    /**
     * Logs every follower in and has it follow the author; a progress line every
     * {@link #PROGRESS_INTERVAL_NANOS}. Returns the seconds it took.
     */
    private double setUpFollowers(ZContext context) {
        List<ZMQ.Socket> sockets = new ArrayList<>();
        for (int i = 0; i < SETUP_SOCKETS; i++) {
            sockets.add(dealer(context));
        }
        int followers = config.followers();
        progress.accept(String.format(
                Locale.ROOT, "celebrity: %,d follower(s) log in and follow %s", followers, config.authorName()));
        long start = System.nanoTime();
        long nextProgress = start + PROGRESS_INTERVAL_NANOS;
        try {
            for (int batchStart = 0; batchStart < followers + SETUP_BATCH_FOLLOWERS_MAX; ) {
                List<SetupCalls.Call> calls = new ArrayList<>();
                int previous = batchStart - SETUP_BATCH_FOLLOWERS_MAX;
                for (int i = Math.max(0, previous); i < Math.min(batchStart, followers); i++) {
                    Map<String, Object> fields = Map.of("user", config.followerName(i), "target", config.authorName());
                    calls.add(new SetupCalls.Call(
                            sockets.get(i % SETUP_SOCKETS), Services.FOLLOW, fields, config.followerName(i), 2));
                }
                int end = Math.min(batchStart + SETUP_BATCH_FOLLOWERS_MAX, followers);
                for (int i = batchStart; i < end; i++) {
                    Map<String, Object> fields = Map.of("user", config.followerName(i));
                    calls.add(new SetupCalls.Call(
                            sockets.get(i % SETUP_SOCKETS), Services.LOGIN, fields, config.followerName(i), 1));
                }
                List<Envelope> replies =
                        SetupCalls.run(context, config.brokerEndpoint(0), clock, calls, config.requestTimeout(), null);
                for (int i = 0; i < replies.size(); i++) {
                    if (!Replies.isSuccess(replies.get(i))) {
                        throw new BenchException("set-up: " + calls.get(i).service() + " of "
                                + calls.get(i).clientId() + " refused: " + Replies.errorText(replies.get(i)));
                    }
                }
                batchStart += SETUP_BATCH_FOLLOWERS_MAX;
                long now = System.nanoTime();
                int done = Math.max(0, Math.min(batchStart - SETUP_BATCH_FOLLOWERS_MAX, followers));
                if (now - nextProgress >= 0 && done < followers) {
                    double seconds = (now - start) / 1e9;
                    double rate = done / seconds;
                    progress.accept(String.format(
                            Locale.ROOT,
                            "celebrity: %,d/%,d following after %.0f s (%.0f/s, about %.0f s left)",
                            done,
                            followers,
                            seconds,
                            rate,
                            rate <= 0 ? 0 : (followers - done) / rate));
                    nextProgress = now + PROGRESS_INTERVAL_NANOS;
                }
            }
        } finally {
            sockets.forEach(ZMQ.Socket::close);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.accept(String.format(
                Locale.ROOT,
                "celebrity: %,d follower(s) set up in %.1f s (%.0f/s)",
                followers,
                seconds,
                followers / seconds));
        return seconds;
    }

    /** The checked followers' reads, at or after the post's index. */
    private static final class FollowerReads {
        final Histogram all = LatencySummary.newMicrosHistogram();
        double feedMillis = -1;
        double notificationsMillis = -1;
        int checked;
        int seeing;
        int counting;
    }

    private FollowerReads readFollowers(ZContext context, long postIndex, String postId) {
        FollowerReads reads = new FollowerReads();
        int count = Math.min(FOLLOWERS_CHECKED_MAX, config.followers());
        ZMQ.Socket socket = dealer(context);
        try {
            for (int k = 0; k < count; k++) {
                int follower = (int) ((long) k * config.followers() / count);
                String name = config.followerName(follower);
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("user", name);
                fields.put("limit", SocialRequests.PAGE_ITEMS);
                fields.put("min_index", postIndex);
                long start = System.nanoTime();
                Envelope feed = call(context, socket, Services.FEED, fields, 3, name, "read a follower's feed");
                long feedDone = System.nanoTime();
                Envelope notes = call(
                        context, socket, Services.NOTIFICATIONS, fields, 4, name, "read a follower's notifications");
                long notesDone = System.nanoTime();
                reads.all.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(feedDone - start)));
                reads.all.recordValue(Math.max(1, TimeUnit.NANOSECONDS.toMicros(notesDone - feedDone)));
                if (k == 0) {
                    reads.feedMillis = (feedDone - start) / 1e6;
                    reads.notificationsMillis = (notesDone - feedDone) / 1e6;
                }
                reads.checked++;
                if (feed.data().get("posts") instanceof List<?> posts
                        && !posts.isEmpty()
                        && posts.get(0) instanceof Map<?, ?> first
                        && postId.equals(first.get("id"))) {
                    reads.seeing++;
                }
                if (longField(notes, "unread_posts") == POSTS) {
                    reads.counting++;
                }
            }
        } finally {
            socket.close();
        }
        return reads;
    }

    /** Milliseconds from the post's send to its arrival on the author's topic, or -1 if it did not come. */
    private double awaitDelivery(ZMQ.Socket sub, String postId, long postSent) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DELIVERY_WAIT_MILLIS);
        try {
            sub.setReceiveTimeOut(50);
            while (System.nanoTime() < deadline) {
                byte[] topic = sub.recv();
                if (topic == null || !sub.hasReceiveMore()) {
                    continue;
                }
                byte[] payload = sub.recv();
                long now = System.nanoTime();
                try {
                    if (MsgPack.decode(payload, Limits.DEFAULT) instanceof Map<?, ?> fields
                            && postId.equals(fields.get("id"))) {
                        return (now - postSent) / 1e6;
                    }
                } catch (ProtocolException e) {
                    // not the post: keep waiting
                }
            }
            return -1;
        } catch (org.zeromq.ZMQException e) {
            throw new BenchException("the subscriber on the author's topic failed: " + e.getMessage());
        }
    }

    private Envelope call(
            ZContext context, ZMQ.Socket socket, String service, Map<String, Object> fields, long id, String what) {
        return call(context, socket, service, fields, id, config.authorName(), what);
    }

    private Envelope call(
            ZContext context,
            ZMQ.Socket socket,
            String service,
            Map<String, Object> fields,
            long requestId,
            String clientId,
            String what) {
        Envelope reply = SetupCalls.run(
                        context,
                        config.brokerEndpoint(0),
                        clock,
                        List.of(new SetupCalls.Call(socket, service, fields, clientId, requestId)),
                        config.requestTimeout(),
                        null)
                .get(0);
        if (!Replies.isSuccess(reply)) {
            throw new BenchException("cannot " + what + ": " + Replies.errorText(reply));
        }
        return reply;
    }

    private static Map<String, Object> linearizable(String user) {
        return Map.of("user", user, "linearizable", true);
    }

    private ZMQ.Socket dealer(ZContext context) {
        ZMQ.Socket socket = context.createSocket(SocketType.DEALER);
        socket.setLinger(0);
        socket.connect(config.brokerEndpoint(0));
        return socket;
    }

    private static long longField(Envelope reply, String field) {
        return reply.data().get(field) instanceof Long value ? value : -1;
    }

    private List<Integer> clientsOf(int thread) {
        List<Integer> mine = new ArrayList<>();
        for (int client = thread; client < config.clients(); client += config.driverThreads()) {
            mine.add(client);
        }
        return mine;
    }

    private static void failIfFailed(BenchControl control) {
        if (control.failure() != null) {
            throw new BenchException(control.failure());
        }
    }

    private static void sleep(Duration duration, BenchControl control) throws InterruptedException {
        sleepUntil(System.nanoTime() + duration.toNanos(), control);
    }

    private static void sleepUntil(long deadlineNanos, BenchControl control) throws InterruptedException {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            failIfFailed(control);
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }

    private static void joinAll(List<Thread> threads, long millisEach) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(millisEach);
        }
    }
}
