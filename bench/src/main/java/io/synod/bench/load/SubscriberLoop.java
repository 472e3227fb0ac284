package io.synod.bench.load;

import io.synod.messaging.Closeables;
import io.synod.messaging.MsgPackScan;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The subscriber thread: owns every SUB socket of the run (each subscribed to its topics on the
 * proxy's XPUB; ZeroMQ's protocol spoken by this thread itself, {@link ZmtpClient}), counts
 * deliveries, times them from the send time the message text starts with, and checks each topic's
 * {@code seq} per socket with a {@link SeqChecker}. Topics are compared exactly (ZeroMQ filters by
 * prefix).
 *
 * <p>Not thread-safe: runs on its own thread; {@link #totals()} is read after the thread ended.
 */
final class SubscriberLoop implements Runnable {
    private static final long POLL_MILLIS = 10;
    private static final byte[] SEQ_KEY = "seq".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOCK_KEY = "clock".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE_KEY = "message".getBytes(StandardCharsets.US_ASCII);

    /** The proxy of subscriber socket i: spread over the proxies in turn ({@link BenchConfig#proxyEndpoint(int)}). */
    private final IntFunction<String> proxyEndpoint;

    private final List<List<String>> topicsPerSocket;
    private final ProcessClock clock;
    private final BenchMeter meter;
    private final BenchControl control;
    private final List<Map<String, SeqChecker>> checkers = new ArrayList<>();
    /** Per socket: its topic when it has one, else null. */
    private final List<byte[]> onlyTopics = new ArrayList<>();
    /** Proxy-fanout: told, every turn, the highest {@code seq} every subscriber has seen; null otherwise. */
    private final ProxyFanoutPublisher.Credit credit;

    private long undecodable;

    /** What the subscribers saw over the whole run (warm-up and drain included). */
    record Totals(long sockets, long deliveries, long gaps, long duplicates, long outOfOrder, long undecodable) {}

    SubscriberLoop(
            IntFunction<String> proxyEndpoint,
            List<List<String>> topicsPerSocket,
            ProcessClock clock,
            BenchMeter meter,
            BenchControl control,
            ProxyFanoutPublisher.Credit credit) {
        this.credit = credit;
        this.proxyEndpoint = proxyEndpoint;
        this.topicsPerSocket = List.copyOf(topicsPerSocket);
        this.clock = clock;
        this.meter = meter;
        this.control = control;
    }

    @Override
    public void run() {
        List<ZmtpClient> sockets = new ArrayList<>();
        Selector selector = null;
        try {
            selector = Selector.open();
            long now = System.nanoTime();
            for (List<String> topics : topicsPerSocket) {
                ZmtpClient sub = new ZmtpClient(
                        ZmtpCodec.SocketType.SUB, proxyEndpoint.apply(sockets.size()), selector, LoadDriver.ZMTP, now);
                Map<String, SeqChecker> byTopic = new HashMap<>();
                for (String topic : topics) {
                    sub.subscribe(topic.getBytes(StandardCharsets.UTF_8));
                    byTopic.put(topic, new SeqChecker());
                }
                sockets.add(sub);
                checkers.add(byTopic);
                onlyTopics.add(topics.size() == 1 ? topics.get(0).getBytes(StandardCharsets.UTF_8) : null);
            }
            control.subscribersReady().countDown();
            while (control.phase() != BenchControl.Phase.STOP) {
                now = ZmtpClient.awaitAndServe(selector, POLL_MILLIS);
                for (int i = 0; i < sockets.size(); i++) {
                    sockets.get(i).tick(now);
                    receive(sockets.get(i), checkers.get(i), onlyTopics.get(i));
                    sockets.get(i).flush();
                }
                if (credit != null) {
                    credit.reached(slowest());
                }
            }
        } catch (IOException | RuntimeException e) {
            control.fail("the subscriber thread failed: " + e);
        } finally {
            sockets.forEach(ZmtpClient::close);
            Closeables.closeQuietly(selector);
        }
    }

    private void receive(ZmtpClient sub, Map<String, SeqChecker> byTopic, byte[] onlyTopic) {
        // a socket of one topic (fanout, publish) compares bytes; several topics look the text up
        SeqChecker only = onlyTopic == null ? null : byTopic.values().iterator().next();
        while (true) {
            List<byte[]> frames = sub.receive();
            if (frames == null) {
                return;
            }
            byte[] topicFrame = frames.get(0);
            byte[] payload = frames.size() > 1 ? frames.get(1) : null;
            long nowNanos = System.nanoTime();
            SeqChecker checker = only != null
                    ? (Arrays.equals(onlyTopic, topicFrame) ? only : null)
                    : byTopic.get(new String(topicFrame, StandardCharsets.UTF_8));
            if (checker == null || payload == null) {
                continue; // another topic with the same prefix
            }
            onPublication(checker, payload, nowNanos);
        }
    }

    /**
     * Reads {@code seq}, {@code clock} and the send time {@code message} starts with in one scan of the payload's
     * top-level keys ({@link MsgPackScan}): a full decode into a map of strings cost most of this thread's time at
     * a hundred thousands of deliveries per second.
     */
    private void onPublication(SeqChecker checker, byte[] payload, long nowNanos) {
        long header = MsgPackScan.mapHeader(payload);
        if (header < 0) {
            undecodable++;
            return;
        }
        long pairs = header >>> 32;
        int pos = (int) header;
        long seq = 0;
        long clockValue = 0;
        long sent = Long.MIN_VALUE;
        for (long i = 0; i < pairs; i++) {
            int keyEnd = MsgPackScan.skip(payload, pos, 1);
            int valueEnd = MsgPackScan.skip(payload, keyEnd, 1);
            if (keyEnd < 0 || valueEnd < 0) {
                undecodable++;
                return;
            }
            int keyStart = MsgPackScan.stringStart(payload, pos);
            if (keyStart >= 0) {
                if (isKey(payload, keyStart, keyEnd, SEQ_KEY)) {
                    long value = MsgPackScan.integerAt(payload, keyEnd);
                    seq = value == MsgPackScan.NOT_AN_INTEGER ? 0 : value;
                } else if (isKey(payload, keyStart, keyEnd, CLOCK_KEY)) {
                    long value = MsgPackScan.integerAt(payload, keyEnd);
                    clockValue = value == MsgPackScan.NOT_AN_INTEGER ? 0 : value;
                } else if (isKey(payload, keyStart, keyEnd, MESSAGE_KEY)) {
                    int textStart = MsgPackScan.stringStart(payload, keyEnd);
                    sent = textStart < 0 ? Long.MIN_VALUE : MessageStamp.sentNanos(payload, textStart, valueEnd);
                }
            }
            pos = valueEnd;
        }
        clock.observe(clockValue);
        checker.onDelivery(seq);
        long latencyMicros = sent == Long.MIN_VALUE ? -1 : TimeUnit.NANOSECONDS.toMicros(nowNanos - sent);
        meter.delivered(latencyMicros, control.phase() == BenchControl.Phase.MEASURE);
    }

    private static boolean isKey(byte[] b, int from, int to, byte[] key) {
        return Arrays.equals(b, from, to, key, 0, key.length);
    }

    /** The lowest of every checker's highest {@code seq} (0 while one has seen nothing). */
    private long slowest() {
        long lowest = Long.MAX_VALUE;
        for (Map<String, SeqChecker> byTopic : checkers) {
            for (SeqChecker checker : byTopic.values()) {
                lowest = Math.min(lowest, checker.highest());
            }
        }
        return lowest == Long.MAX_VALUE ? 0 : lowest;
    }

    /** Sums over every socket and topic; call after the thread ended. */
    Totals totals() {
        long deliveries = 0;
        long gaps = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        for (Map<String, SeqChecker> byTopic : checkers) {
            for (SeqChecker checker : byTopic.values()) {
                deliveries += checker.deliveries();
                gaps += checker.gaps();
                duplicates += checker.duplicates();
                outOfOrder += checker.outOfOrder();
            }
        }
        return new Totals(topicsPerSocket.size(), deliveries, gaps, duplicates, outOfOrder, undecodable);
    }
}
