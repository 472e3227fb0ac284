package io.synod.bench.load;

import io.synod.messaging.ProcessClock;
import io.synod.messaging.ZmqOptions;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Replies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * The requests that prepare a run (channel creation, logins), outside any measurement. Unlike the
 * measured load they are retried: an attempt without a reply is sent again with the same
 * {@code client_id} and {@code request_id} (exactly-once, requirement X2); while replies are missing the
 * context is nudged every {@link ZmqOptions#NUDGE_INTERVAL_MILLIS} ({@link ZmqOptions#nudge}). Not
 * thread-safe: used by the thread owning the sockets.
 */
final class SetupCalls {
    static final int ATTEMPTS_MAX = 3;
    private static final long NUDGE_INTERVAL_NANOS =
            java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(ZmqOptions.NUDGE_INTERVAL_MILLIS);

    /** One request to send on {@code socket}; {@code clientId} and {@code requestId} identify it. */
    record Call(ZMQ.Socket socket, String service, Map<String, Object> fields, String clientId, long requestId) {}

    private SetupCalls() {}

    /**
     * Sends every call, waits for every reply, and returns them in call order.
     *
     * @throws BenchException if a call gets no reply after {@link #ATTEMPTS_MAX} attempts
     */
    static List<Envelope> run(
            ZContext context,
            String brokerEndpoint,
            ProcessClock clock,
            List<Call> calls,
            Duration attemptTimeout,
            BenchControl control) {
        Map<String, Envelope> replies = new HashMap<>();
        List<ZMQ.Socket> sockets = distinctSockets(calls);
        ZMQ.Poller poller = context.createPoller(sockets.size());
        try {
            sockets.forEach(socket -> poller.register(socket, ZMQ.Poller.POLLIN));
            for (int attempt = 1; attempt <= ATTEMPTS_MAX && replies.size() < calls.size(); attempt++) {
                for (Call call : calls) {
                    if (!replies.containsKey(key(call.clientId(), call.requestId()))) {
                        send(call, clock);
                    }
                }
                long deadline = System.nanoTime() + attemptTimeout.toNanos();
                long nextNudge = System.nanoTime() + NUDGE_INTERVAL_NANOS;
                while (replies.size() < calls.size() && System.nanoTime() < deadline) {
                    if (control != null && control.phase() == BenchControl.Phase.STOP) {
                        throw new BenchException("stopped during setup");
                    }
                    if (System.nanoTime() - nextNudge >= 0) {
                        ZmqOptions.nudge(context); // JeroMQ's connect race, while replies are missing
                        nextNudge += NUDGE_INTERVAL_NANOS;
                    }
                    poller.poll(Math.max(1, Math.min(50, (deadline - System.nanoTime()) / 1_000_000)));
                    for (int i = 0; i < sockets.size(); i++) {
                        if (poller.pollin(i)) {
                            receive(sockets.get(i), clock, replies);
                        }
                    }
                }
            }
        } finally {
            poller.close();
        }
        List<Envelope> out = new ArrayList<>(calls.size());
        for (Call call : calls) {
            Envelope reply = replies.get(key(call.clientId(), call.requestId()));
            if (reply == null) {
                throw new BenchException("no reply to '" + call.service() + "' from the broker at " + brokerEndpoint
                        + " after " + ATTEMPTS_MAX + " attempts of " + attemptTimeout.toMillis() + " ms"
                        + " (is the cluster up, and are the endpoints right?)");
            }
            out.add(reply);
        }
        return out;
    }

    static void send(Call call, ProcessClock clock) {
        Map<String, Object> data = new LinkedHashMap<>(call.fields());
        data.put("timestamp", clock.nowSeconds());
        data.put("clock", clock.tickForSend());
        data.put("client_id", call.clientId());
        data.put("request_id", call.requestId());
        byte[] frame = new Envelope(call.service(), data).encode();
        call.socket().send(new byte[0], ZMQ.SNDMORE | ZMQ.DONTWAIT);
        call.socket().send(frame, ZMQ.DONTWAIT);
    }

    private static void receive(ZMQ.Socket socket, ProcessClock clock, Map<String, Envelope> replies) {
        while (true) {
            byte[] frame = socket.recv(ZMQ.DONTWAIT);
            if (frame == null) {
                return;
            }
            byte[] payload = frame;
            while (socket.hasReceiveMore()) {
                payload = socket.recv();
            }
            try {
                Envelope reply = Envelope.decode(payload, Limits.DEFAULT);
                clock.observe(reply.data().get("clock") instanceof Long c ? c : 0);
                if (reply.data().get("client_id") instanceof String id
                        && reply.data().get("request_id") instanceof Long request) {
                    replies.put(key(id, request), reply);
                }
            } catch (ProtocolException e) {
                // An undecodable reply is not one of ours; the attempt times out and is sent again.
            }
        }
    }

    /** Whether a setup reply is a success (or, for {@code channel}, says the channel exists already). */
    static boolean acceptable(Envelope reply) {
        if (Replies.isSuccess(reply)) {
            return true;
        }
        String text = Replies.errorText(reply);
        return reply.service().equals("channel") && text != null && text.contains("exist");
    }

    private static String key(String clientId, long requestId) {
        return clientId + "#" + requestId;
    }

    private static List<ZMQ.Socket> distinctSockets(List<Call> calls) {
        List<ZMQ.Socket> sockets = new ArrayList<>();
        for (Call call : calls) {
            if (!sockets.contains(call.socket())) {
                sockets.add(call.socket());
            }
        }
        return sockets;
    }
}
