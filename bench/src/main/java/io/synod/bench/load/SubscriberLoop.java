package io.synod.bench.load;

import io.synod.messaging.Closeables;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.ProtocolException;
import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

    /** The proxy of subscriber socket i: spread over the proxies in turn ({@link BenchConfig#proxyEndpoint(int)}). */
    private final IntFunction<String> proxyEndpoint;

    private final List<List<String>> topicsPerSocket;
    private final ProcessClock clock;
    private final BenchMeter meter;
    private final BenchControl control;
    private final List<Map<String, SeqChecker>> checkers = new ArrayList<>();
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
            }
            control.subscribersReady().countDown();
            while (control.phase() != BenchControl.Phase.STOP) {
                now = ZmtpClient.awaitAndServe(selector, POLL_MILLIS);
                for (int i = 0; i < sockets.size(); i++) {
                    sockets.get(i).tick(now);
                    receive(sockets.get(i), checkers.get(i));
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

    private void receive(ZmtpClient sub, Map<String, SeqChecker> byTopic) {
        while (true) {
            List<byte[]> frames = sub.receive();
            if (frames == null) {
                return;
            }
            byte[] topicFrame = frames.get(0);
            byte[] payload = frames.size() > 1 ? frames.get(1) : null;
            long nowNanos = System.nanoTime();
            SeqChecker checker = byTopic.get(new String(topicFrame, StandardCharsets.UTF_8));
            if (checker == null || payload == null) {
                continue; // another topic with the same prefix
            }
            onPublication(checker, payload, nowNanos);
        }
    }

    private void onPublication(SeqChecker checker, byte[] payload, long nowNanos) {
        Map<?, ?> fields;
        try {
            fields = MsgPack.decode(payload, Limits.DEFAULT) instanceof Map<?, ?> map ? map : null;
        } catch (ProtocolException e) {
            fields = null;
        }
        if (fields == null) {
            undecodable++;
            return;
        }
        clock.observe(fields.get("clock") instanceof Long c ? c : 0);
        checker.onDelivery(fields.get("seq") instanceof Long seq ? seq : 0);
        long sent = fields.get("message") instanceof String text ? MessageStamp.sentNanos(text) : Long.MIN_VALUE;
        long latencyMicros = sent == Long.MIN_VALUE ? -1 : TimeUnit.NANOSECONDS.toMicros(nowNanos - sent);
        meter.delivered(latencyMicros, control.phase() == BenchControl.Phase.MEASURE);
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
