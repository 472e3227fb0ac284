package io.synod.systemtests;

import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A deliberately plain statement client for tests: a REQ socket to the broker and a SUB socket to
 * the proxy, exactly what a foreign course client uses. It keeps its own Lamport clock so tests can
 * check the clock rule on every message.
 */
final class WireClient implements AutoCloseable {
    /** Longest wait for one reply or publication. */
    static final int RECEIVE_TIMEOUT_MILLIS = 10_000;

    private final ZContext context = new ZContext();
    private final ZMQ.Socket request;
    private final ZMQ.Socket subscriber;
    private final String broker;
    private final String proxy;
    long clock;

    WireClient(String broker, String proxy) {
        this.broker = broker;
        this.proxy = proxy;
        request = context.createSocket(SocketType.REQ);
        request.setReceiveTimeOut(RECEIVE_TIMEOUT_MILLIS);
        request.setLinger(0);
        request.connect(broker);
        subscriber = context.createSocket(SocketType.SUB);
        subscriber.setReceiveTimeOut(RECEIVE_TIMEOUT_MILLIS);
        subscriber.setLinger(0);
        subscriber.connect(proxy);
    }

    /** Sends {@code service} with {@code fields} plus timestamp and clock; returns the reply. */
    Envelope call(String service, Map<String, Object> fields) {
        Map<String, Object> data = new LinkedHashMap<>(fields);
        data.put("timestamp", System.currentTimeMillis() / 1000.0);
        data.put("clock", ++clock);
        return sendRaw(new Envelope(service, data).encode());
    }

    /** Sends any bytes as one frame; returns the decoded reply. */
    Envelope sendRaw(byte[] frame) {
        request.send(frame);
        byte[] reply = ZmqTestSockets.receiveNudging(context, request, RECEIVE_TIMEOUT_MILLIS);
        if (reply == null) {
            throw new AssertionError("no reply within " + RECEIVE_TIMEOUT_MILLIS + " ms");
        }
        Envelope envelope = Envelope.decode(reply, Limits.DEFAULT);
        Object received = envelope.data().get("clock");
        if (received instanceof Long c) {
            clock = Math.max(clock, c) + 1;
        }
        return envelope;
    }

    /** The list under {@code key} in a reply's data (empty if absent). */
    @SuppressWarnings("unchecked")
    static List<Object> list(Envelope reply, String key) {
        Object value = reply.data().get(key);
        return value instanceof List<?> items ? (List<Object>) items : List.of();
    }

    /** The {@code messages} of a history reply, as payload maps. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(Envelope reply) {
        return list(reply, "messages").stream()
                .map(m -> (Map<String, Object>) m)
                .toList();
    }

    void subscribe(String topic) {
        subscriber.subscribe(topic.getBytes(StandardCharsets.UTF_8));
    }

    /** A received publication: its topic frame and decoded payload. */
    record Received(String topic, Map<String, Object> payload) {}

    /** The next publication on any subscribed prefix, or null after the default timeout. */
    Received receive() {
        return receive(RECEIVE_TIMEOUT_MILLIS);
    }

    /** The next publication on any subscribed prefix, or null after {@code timeoutMillis}. */
    Received receive(int timeoutMillis) {
        byte[] topic = ZmqTestSockets.receiveNudging(context, subscriber, timeoutMillis);
        if (topic == null) {
            return null;
        }
        byte[] payload = subscriber.hasReceiveMore() ? subscriber.recv() : new byte[0];
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) MsgPack.decode(payload, Limits.DEFAULT);
        if (map.get("clock") instanceof Long c) {
            clock = Math.max(clock, c) + 1; // Lamport rule on receipt of a publication too
        }
        return new Received(new String(topic, StandardCharsets.UTF_8), map);
    }

    @Override
    public void close() {
        context.close();
    }
}
