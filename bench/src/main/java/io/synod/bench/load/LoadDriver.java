package io.synod.bench.load;

import io.synod.messaging.Closeables;
import io.synod.messaging.ProcessClock;
import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import io.synod.messaging.zmtp.ZmtpConnection;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Replies;
import io.synod.protocol.Services;
import java.io.IOException;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * One load thread: owns the DEALER sockets of its share of the bench clients, logs each client in,
 * then keeps {@code --in-flight} requests outstanding per client while the run is sending, and
 * times each request from send to reply.
 *
 * <p>Every request is statement-conformant ({@code {"service", "data"}} with the statement's fields,
 * {@code timestamp} and {@code clock}) and carries {@code client_id} and {@code request_id}, so a
 * write is applied at most once. Each in-flight slot of a client has its own {@code client_id}
 * ({@code <user>-<slot>}): the servers remember the last request id per client id, so one id per
 * slot keeps the ids of each client id strictly increasing in the order they are applied. A request
 * without a reply within {@code --request-timeout} is counted as a timeout and never sent again; a
 * reply that comes later is counted as late.
 *
 * <p>Not thread-safe: everything here runs on the driver's own thread.
 */
final class LoadDriver implements Runnable {
    /** How long a poll waits at most, so phase changes are seen quickly. */
    private static final long POLL_MILLIS_MAX = 10;
    /**
     * The load sockets: ZeroMQ's reconnection interval and a server's heartbeats; replies up to 16 MiB; no
     * practical queue limit (the in-flight window bounds what is queued).
     */
    static final ZmtpClient.Config ZMTP = new ZmtpClient.Config(
            100,
            1_000,
            10_000,
            100_000,
            new ZmtpConnection.Limits(16 << 20, 64, 16 << 20, 1_000_000, 1L << 30, 256 << 10));

    private static final int HISTORY_LIMIT = 20;

    private final BenchConfig config;
    private final List<Integer> clientIndexes;
    private final ZContext context;
    private final ProcessClock clock;
    private final BenchMeter meter;
    private final BenchControl control;
    private final AtomicLongArray publishedPerChannel;
    private final SplittableRandom random;
    private final List<Client> clients = new ArrayList<>();
    private final SocialRequests social;
    private int inFlightTotal;

    /** A request waiting for its reply. */
    private record Pending(
            int slot, String service, int target, boolean read, long sentNanos, long deadlineNanos, boolean inWindow) {}

    /**
     * One bench client: a user, a DEALER (a JeroMQ socket for the login, then ZeroMQ's protocol spoken by this
     * thread itself, so that the load generator's own cost per message is one wake-up, not three), and its
     * requests in flight by request id.
     */
    private static final class Client {
        final int index;
        final String user;
        final ZMQ.Socket setup;
        ZmtpClient dealer;
        final String[] slotClientIds;
        final ArrayDeque<Integer> freeSlots = new ArrayDeque<>();
        final Map<Long, Pending> inFlight = new HashMap<>();
        long nextRequestId = 1;

        Client(int index, String user, ZMQ.Socket setup, int slots) {
            this.index = index;
            this.user = user;
            this.setup = setup;
            this.slotClientIds = new String[slots];
            for (int slot = 0; slot < slots; slot++) {
                slotClientIds[slot] = user + "-" + slot;
                freeSlots.add(slot);
            }
        }
    }

    LoadDriver(
            BenchConfig config,
            List<Integer> clientIndexes,
            ZContext context,
            ProcessClock clock,
            BenchMeter meter,
            BenchControl control,
            AtomicLongArray publishedPerChannel,
            long seed) {
        this.config = config;
        this.clientIndexes = List.copyOf(clientIndexes);
        this.context = context;
        this.clock = clock;
        this.meter = meter;
        this.control = control;
        this.publishedPerChannel = publishedPerChannel;
        this.random = new SplittableRandom(seed);
        this.social = new SocialRequests(config, random);
    }

    @Override
    public void run() {
        Selector selector = null;
        try {
            for (int index : clientIndexes) {
                ZMQ.Socket setup = context.createSocket(SocketType.DEALER);
                setup.setLinger(0);
                setup.connect(config.brokerEndpoint(index));
                clients.add(new Client(index, config.userName(index), setup, config.inFlightPerClient()));
            }
            logIn();
            selector = Selector.open();
            long now = System.nanoTime();
            clients.forEach(client -> client.setup.close());
            for (Client client : clients) {
                client.dealer = new ZmtpClient(
                        ZmtpCodec.SocketType.DEALER, config.brokerEndpoint(client.index), selector, ZMTP, now);
            }
            control.driversReady().countDown();
            loop(selector);
        } catch (IOException | RuntimeException e) {
            control.fail("a load driver failed: " + e.getMessage());
        } finally {
            for (Client client : clients) {
                if (client.dealer != null) {
                    client.dealer.close();
                } else {
                    client.setup.close();
                }
            }
            Closeables.closeQuietly(selector);
        }
    }

    /** One wait of at most {@code timeoutMillis}, then every socket served and every reply handled. */
    private void turn(Selector selector, long timeoutMillis) throws IOException {
        long now = ZmtpClient.awaitAndServe(selector, timeoutMillis);
        for (Client client : clients) {
            client.dealer.tick(now);
            receive(client);
        }
    }

    /** Every client logs in as its own user, over its own socket, before any load. */
    private void logIn() {
        List<SetupCalls.Call> calls = new ArrayList<>();
        for (Client client : clients) {
            calls.add(new SetupCalls.Call(
                    client.setup,
                    Services.LOGIN,
                    Map.of("user", client.user),
                    client.slotClientIds[0],
                    client.nextRequestId++));
        }
        List<Envelope> replies =
                SetupCalls.run(context, config.brokerEndpoint(0), clock, calls, config.requestTimeout(), control);
        for (Envelope reply : replies) {
            if (!SetupCalls.acceptable(reply)) {
                throw new BenchException("login refused: " + Replies.errorText(reply));
            }
        }
    }

    private void loop(Selector selector) throws IOException {
        while (control.phase() == BenchControl.Phase.SETUP) {
            turn(selector, POLL_MILLIS_MAX);
        }
        while (true) {
            BenchControl.Phase phase = control.phase();
            if (phase == BenchControl.Phase.STOP) {
                return;
            }
            boolean sending = phase == BenchControl.Phase.WARMUP || phase == BenchControl.Phase.MEASURE;
            if (sending) {
                boolean inWindow = phase == BenchControl.Phase.MEASURE;
                for (Client client : clients) {
                    fill(client, inWindow);
                }
            } else if (inFlightTotal == 0) {
                return;
            }
            for (Client client : clients) {
                client.dealer.flush();
            }
            turn(selector, POLL_MILLIS_MAX);
            expire(System.nanoTime());
        }
    }

    private void fill(Client client, boolean inWindow) {
        while (!client.freeSlots.isEmpty()) {
            int slot = client.freeSlots.peekFirst();
            long requestId = client.nextRequestId;
            Request request = nextRequest(client);
            Map<String, Object> data = request.fields;
            long sentNanos = System.nanoTime();
            if (request.message) {
                data.put(request.messageField, messageText(sentNanos));
            }
            data.put("timestamp", clock.nowSeconds());
            data.put("clock", clock.tickForSend());
            data.put("client_id", client.slotClientIds[slot]);
            data.put("request_id", requestId);
            byte[] frame = new Envelope(request.service, data).encode();
            if (!client.dealer.send(List.of(new byte[0], frame))) {
                return; // its queue is full: try again at the next turn
            }
            client.freeSlots.pollFirst();
            client.nextRequestId++;
            long deadline = sentNanos + config.requestTimeout().toNanos();
            client.inFlight.put(
                    requestId,
                    new Pending(slot, request.service, request.target, request.read, sentNanos, deadline, inWindow));
            inFlightTotal++;
        }
    }

    /**
     * What to send next: a service and its fields (the message text is added at send time); {@code target} is
     * the bench user a follow or unfollow names, else -1.
     */
    record Request(
            String service,
            Map<String, Object> fields,
            boolean read,
            boolean message,
            String messageField,
            int target) {
        Request(String service, Map<String, Object> fields, boolean read, boolean message, String messageField) {
            this(service, fields, read, message, messageField, -1);
        }
    }

    private Request nextRequest(Client client) {
        return switch (config.workload()) {
            case PUBLISH -> publish(client, client.index % config.channelCount());
            case FANOUT -> publish(client, 0);
            case PRIVATE -> privateMessage(client);
            case MIXED ->
                random.nextDouble() < config.readRatio()
                        ? read(client)
                        : publish(client, client.index % config.channelCount());
            case SOCIAL -> social.next(client.index, client.user);
            case CELEBRITY -> publish(client, client.index % config.channelCount());
            case PROXY_FANOUT -> throw new IllegalStateException("the proxy-fanout workload has no clients");
        };
    }

    private Request publish(Client client, int channel) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("user", client.user);
        fields.put("channel", config.channelName(channel));
        return new Request(Services.PUBLISH, fields, false, true, "message");
    }

    private Request privateMessage(Client client) {
        int destination = client.index;
        if (config.clients() > 1) {
            destination = (client.index + 1 + random.nextInt(config.clients() - 1)) % config.clients();
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("src", client.user);
        fields.put("dst", config.userName(destination));
        return new Request(Services.MESSAGE, fields, false, true, "message");
    }

    /** A read: the recent history of the client's channel, the channel list or the user list. */
    private Request read(Client client) {
        Map<String, Object> fields = new LinkedHashMap<>();
        int kind = random.nextInt(3);
        if (kind == 0) {
            int channel = client.index % config.channelCount();
            fields.put("channel", config.channelName(channel));
            fields.put("after_seq", Math.max(0, publishedPerChannel.get(channel) - HISTORY_LIMIT));
            fields.put("limit", HISTORY_LIMIT);
            return new Request(Services.HISTORY, fields, true, false, null);
        }
        return new Request(kind == 1 ? Services.CHANNELS : Services.USERS, fields, true, false, null);
    }

    /**
     * A text of exactly {@code --message-bytes} ASCII characters that starts with the send time
     * ({@code t<nanoTime>;}), so a subscriber in this process can time the delivery; too short a
     * size carries padding only.
     */
    private String messageText(long sentNanos) {
        String stamp = MessageStamp.prefix(sentNanos);
        int size = config.messageBytes();
        StringBuilder text = new StringBuilder(size);
        if (stamp.length() <= size) {
            text.append(stamp);
        }
        while (text.length() < size) {
            text.append('x');
        }
        return text.toString();
    }

    private void receive(Client client) {
        while (true) {
            List<byte[]> frames = client.dealer.receive();
            if (frames == null) {
                return;
            }
            byte[] payload = frames.get(frames.size() - 1);
            long now = System.nanoTime();
            Envelope reply;
            try {
                reply = Envelope.decode(payload, Limits.DEFAULT);
            } catch (ProtocolException e) {
                meter.error("undecodable reply: " + e.getMessage(), false);
                continue;
            }
            clock.observe(reply.data().get("clock") instanceof Long c ? c : 0);
            Pending pending = reply.data().get("request_id") instanceof Long id ? client.inFlight.remove(id) : null;
            if (pending == null) {
                meter.lateReply();
                continue;
            }
            complete(client, pending, reply, now);
        }
    }

    private void complete(Client client, Pending pending, Envelope reply, long nowNanos) {
        client.freeSlots.addLast(pending.slot());
        inFlightTotal--;
        boolean ok = !Replies.ERRO.equals(reply.data().get("status")) && !Replies.ERRO.equals(reply.service());
        social.onOutcome(client.index, pending.service(), pending.target(), ok);
        if (!ok) {
            meter.error(reply.service() + ": " + Replies.errorText(reply), pending.inWindow());
            return;
        }
        long micros = TimeUnit.NANOSECONDS.toMicros(nowNanos - pending.sentNanos());
        meter.operationAcked(pending.service(), micros, pending.inWindow());
        if (pending.read()) {
            meter.readAcked(micros, pending.inWindow());
        } else {
            meter.writeAcked(micros, pending.inWindow());
            if (reply.service().equals(Services.PUBLISH) && config.channelCount() > 0) {
                int channel = config.workload() == Workload.FANOUT ? 0 : client.index % config.channelCount();
                publishedPerChannel.incrementAndGet(channel);
            }
        }
    }

    /** Requests past their deadline are timeouts: counted, their slot freed, never sent again. */
    private void expire(long nowNanos) {
        if (inFlightTotal == 0) {
            return;
        }
        for (Client client : clients) {
            var entries = client.inFlight.entrySet().iterator();
            while (entries.hasNext()) {
                Pending pending = entries.next().getValue();
                if (nowNanos - pending.deadlineNanos() >= 0) {
                    entries.remove();
                    client.freeSlots.addLast(pending.slot());
                    inFlightTotal--;
                    meter.timeout(pending.inWindow());
                }
            }
        }
    }
}
