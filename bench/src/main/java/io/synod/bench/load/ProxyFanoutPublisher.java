package io.synod.bench.load;

import io.synod.messaging.Closeables;
import io.synod.messaging.Forwarder;
import io.synod.messaging.ForwarderConfig;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.protocol.Publication;
import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The proxy-fanout workload's publisher: one PUB connected to the XSUB side of a proxy, publishing what a server
 * publishes for a channel post ({@code [channel, MessagePack payload]}, {@link Publication.ChannelPost}, its
 * {@code seq} rising by one from 1), as fast as the slowest subscriber keeps up: at most {@link
 * #PUBLICATIONS_AHEAD_MAX} publications beyond the highest {@code seq} every subscriber has seen ({@link Credit}),
 * well under the proxy's per-subscriber high-water mark, so a full run drops nothing and every subscriber can check
 * order and gaps. No cluster is involved: what is measured is the proxy (and the subscribers' own cost).
 *
 * <p>Not thread-safe: runs on its own thread; {@link #published()} is read after the thread ended.
 */
final class ProxyFanoutPublisher implements Runnable {
    /**
     * Publications sent beyond what the slowest subscriber has received: enough to keep the proxy busy across the
     * subscribers' turns, far below {@link ForwarderConfig#DEFAULT}'s per-subscriber queue (100,000 messages).
     */
    static final int PUBLICATIONS_AHEAD_MAX = 2_000;
    /** Publications queued per turn before they are written (one write for the batch). */
    private static final int PUBLICATIONS_PER_TURN_MAX = 256;
    /** Longest sleep while the window is full or nobody has subscribed yet (the subscribers wake us sooner). */
    private static final long WAIT_NANOS_MAX = 1_000_000;

    private static final long POLL_MILLIS = 10;

    private final BenchConfig config;
    private final String endpoint;
    private final BenchControl control;
    private final Credit credit;
    private final ProcessClock clock;
    private final String padding;
    private long published;

    /**
     * How far the slowest subscriber has come, told by the subscriber thread, read by the publisher. Thread-safe.
     */
    static final class Credit {
        private final AtomicLong slowestSeq = new AtomicLong();
        private volatile Thread waiter;

        /** The subscriber thread: every subscriber has now seen {@code seq} or more. */
        void reached(long seq) {
            if (seq > slowestSeq.get()) {
                slowestSeq.set(seq);
                Thread parked = waiter;
                if (parked != null) {
                    LockSupport.unpark(parked);
                }
            }
        }

        long slowest() {
            return slowestSeq.get();
        }
    }

    ProxyFanoutPublisher(BenchConfig config, String endpoint, BenchControl control, Credit credit, ProcessClock clock) {
        this.config = config;
        this.endpoint = endpoint;
        this.control = control;
        this.credit = credit;
        this.clock = clock;
        int stampChars = MessageStamp.prefix(System.nanoTime()).length();
        this.padding = "x".repeat(Math.max(0, config.messageBytes() - stampChars));
    }

    /** A proxy of the bench's own, as {@code synod proxy} runs it, on free loopback ports. */
    static Forwarder startProxy() {
        return Forwarder.start(
                "bench-proxy",
                ZmtpCodec.SocketType.XSUB,
                "tcp://127.0.0.1:*",
                ZmtpCodec.SocketType.XPUB,
                "tcp://127.0.0.1:*",
                ForwarderConfig.DEFAULT,
                InteractionLog.inMemory("bench-proxy"),
                ProcessClock.system());
    }

    /** Publications handed to the proxy (the run's, warm-up included). */
    long published() {
        return published;
    }

    @Override
    public void run() {
        Selector selector = null;
        ZmtpClient pub = null;
        AtomicBoolean subscribed = new AtomicBoolean();
        byte[] topic = config.channelName(0).getBytes(StandardCharsets.UTF_8);
        credit.waiter = Thread.currentThread();
        try {
            selector = Selector.open();
            pub = new ZmtpClient(ZmtpCodec.SocketType.PUB, endpoint, selector, LoadDriver.ZMTP, System.nanoTime());
            pub.onSubscribe(t -> subscribed.set(true));
            boolean ready = false;
            while (control.phase().compareTo(BenchControl.Phase.DRAIN) < 0) {
                long now = ZmtpClient.awaitAndServe(selector, ready ? 0 : POLL_MILLIS);
                pub.tick(now);
                if (!ready) {
                    if (subscribed.get() && pub.isConnected()) {
                        ready = true;
                        control.driversReady().countDown();
                    }
                    continue;
                }
                if (control.phase() == BenchControl.Phase.SETUP) {
                    LockSupport.parkNanos(WAIT_NANOS_MAX);
                    continue;
                }
                long room = Math.min(PUBLICATIONS_PER_TURN_MAX, credit.slowest() + PUBLICATIONS_AHEAD_MAX - published);
                if (room <= 0) {
                    LockSupport.parkNanos(WAIT_NANOS_MAX);
                    continue;
                }
                for (long i = 0; i < room; i++) {
                    if (!pub.send(List.of(topic, payload(published + 1)))) {
                        throw new IllegalStateException("the proxy's link dropped publication " + (published + 1));
                    }
                    published++;
                }
                pub.flush();
            }
        } catch (IOException | RuntimeException e) {
            control.fail("the proxy-fanout publisher failed: " + e);
        } finally {
            credit.waiter = null;
            if (pub != null) {
                pub.close();
            }
            Closeables.closeQuietly(selector);
        }
    }

    /** What a server publishes for the channel's post number {@code seq}. */
    private byte[] payload(long seq) {
        long now = System.nanoTime();
        return new Publication.ChannelPost(
                        config.channelName(0),
                        config.userName(0),
                        MessageStamp.prefix(now) + padding,
                        clock.nowSeconds(),
                        clock.tickForSend(),
                        seq,
                        "bench-" + seq,
                        seq)
                .encodePayload();
    }
}
