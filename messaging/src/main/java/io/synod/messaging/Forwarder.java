package io.synod.messaging;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * A plain bidirectional ZeroMQ proxy between two bound sockets, forwarding every message unchanged
 * (all frames, in order), like {@code zmq.proxy(frontend, backend)}: the broker (ROUTER/DEALER,
 * requirement S1) and the pub/sub proxy (XSUB/XPUB, S2) are both one of these. A poll loop is used
 * instead of {@code ZMQ.proxy} so that the loop can stop cleanly and count what it forwards.
 *
 * <p>Interaction log (N7): logging each message would double the broker's cost and the messages are
 * logged by their senders and receivers anyway, so the forwarder logs one {@code forwarded} event
 * per {@link ForwarderConfig#statsIntervalMillis()} with the number of messages each way (only when
 * something moved).
 *
 * <p>Thread-safety: {@link #start} binds in the caller's thread and then one owned thread runs the
 * loop; {@link #close()} may be called from any thread, once or more.
 */
public final class Forwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    private final String name;
    private final ZContext context;
    private final ZMQ.Socket frontend;
    private final ZMQ.Socket backend;
    private final ForwarderConfig config;
    private final InteractionLog log;
    private final ProcessClock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final String frontendEndpoint;
    private final String backendEndpoint;
    private volatile boolean running = true;
    private Thread thread;

    private Forwarder(
            String name,
            ZContext context,
            ZMQ.Socket frontend,
            ZMQ.Socket backend,
            ForwarderConfig config,
            InteractionLog log,
            ProcessClock clock) {
        this.name = name;
        this.context = context;
        this.frontend = frontend;
        this.backend = backend;
        this.config = config;
        this.log = log;
        this.clock = clock;
        this.frontendEndpoint = frontend.getLastEndpoint();
        this.backendEndpoint = backend.getLastEndpoint();
    }

    /**
     * Binds both sockets and starts forwarding. An endpoint may use port {@code *} to pick a free
     * port; {@link #frontendEndpoint()} and {@link #backendEndpoint()} then tell which.
     *
     * @throws ZMQException if an endpoint cannot be bound (port in use, bad address)
     */
    public static Forwarder start(
            String name,
            SocketType frontendType,
            String frontendBind,
            SocketType backendType,
            String backendBind,
            ForwarderConfig config,
            InteractionLog log,
            ProcessClock clock) {
        ZContext context = new ZContext();
        try {
            ZMQ.Socket frontend = bound(context, frontendType, frontendBind, config);
            ZMQ.Socket backend = bound(context, backendType, backendBind, config);
            Forwarder forwarder = new Forwarder(name, context, frontend, backend, config, log, clock);
            forwarder.thread = new Thread(forwarder::loop, name + "-forwarder");
            forwarder.thread.start();
            return forwarder;
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    private static ZMQ.Socket bound(ZContext context, SocketType type, String endpoint, ForwarderConfig config) {
        ZMQ.Socket socket = context.createSocket(type);
        socket.setLinger(0);
        socket.setSndHWM(config.highWaterMarkMessages());
        socket.setRcvHWM(config.highWaterMarkMessages());
        socket.bind(endpoint);
        return socket;
    }

    /** The frontend's bound endpoint, with the real port. */
    public String frontendEndpoint() {
        return frontendEndpoint;
    }

    /** The backend's bound endpoint, with the real port. */
    public String backendEndpoint() {
        return backendEndpoint;
    }

    private void loop() {
        Direction inbound = new Direction(frontend, backend);
        Direction outbound = new Direction(backend, frontend);
        long nextStatsMillis = clock.nowMillis() + config.statsIntervalMillis();
        try (ZMQ.Poller poller = context.createPoller(2)) {
            poller.register(frontend, ZMQ.Poller.POLLIN);
            poller.register(backend, ZMQ.Poller.POLLIN);
            while (running && !Thread.currentThread().isInterrupted()) {
                boolean retrying = inbound.pending != null || outbound.pending != null;
                poller.poll(retrying ? config.retryIntervalMillis() : config.pollIntervalMillis());
                inbound.forward(poller.pollin(0));
                outbound.forward(poller.pollin(1));
                long now = clock.nowMillis();
                if (now >= nextStatsMillis) {
                    logStats(inbound.takeCount(), outbound.takeCount());
                    nextStatsMillis = now + config.statsIntervalMillis();
                }
            }
            logStats(inbound.takeCount(), outbound.takeCount());
        } catch (ZMQException e) {
            if (running) {
                LOG.error("{}: forwarding stopped on a ZeroMQ error", name, e);
            }
        } finally {
            frontend.close();
            backend.close();
            stopped.countDown();
        }
    }

    /**
     * One direction of the proxy. A message the target cannot take now stays {@code pending} and
     * is offered again on the next turn; while it waits, nothing more is read from the source.
     */
    private final class Direction {
        private final ZMQ.Socket from;
        private final ZMQ.Socket to;
        private List<byte[]> pending;
        private long count;

        Direction(ZMQ.Socket from, ZMQ.Socket to) {
            this.from = from;
            this.to = to;
        }

        void forward(boolean readable) {
            if (pending != null && !offer(pending)) {
                return;
            }
            pending = null;
            for (int i = 0; readable && i < config.messagesPerWakeupMax(); i++) {
                List<byte[]> frames = ZmqMessages.receiveMultipart(from, ZMQ.DONTWAIT);
                if (frames == null) {
                    return;
                }
                count++;
                if (!offer(frames)) {
                    pending = frames;
                    return;
                }
            }
        }

        private boolean offer(List<byte[]> frames) {
            return ZmqMessages.offerMultipart(to, frames);
        }

        long takeCount() {
            long taken = count;
            count = 0;
            return taken;
        }
    }

    private void logStats(long in, long out) {
        if (in == 0 && out == 0) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("frontend_to_backend", in);
        data.put("backend_to_frontend", out);
        data.put("interval_ms", config.statsIntervalMillis());
        log.event("forwarded", clock.lamport().current(), clock.nowSeconds(), data);
    }

    /** Blocks until the loop has stopped (after {@link #close()} or a fatal error). */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /** Whether the loop is still running. */
    public boolean isRunning() {
        return stopped.getCount() > 0;
    }

    /** Stops the loop, closes both sockets and the ZeroMQ context; waits up to 5 s. */
    @Override
    public void close() {
        running = false;
        try {
            if (!stopped.await(5, TimeUnit.SECONDS)) {
                LOG.warn("{}: the forwarding loop did not stop within 5 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.close();
    }
}
