package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.ZmqTestSockets;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * A plain course client on three real servers (issue 19): a REQ socket, no {@code client_id}/{@code request_id}, a
 * Lamport clock incremented before every send, and the Lazy Pirate retry of the statement's notes (the same request
 * bytes again on a new socket). Its replies are lost around a kill -9 of the leader: one write applied before the
 * kill whose reply it never read, and writes sent just before the kill; each is retried until answered, and each is
 * in {@code history} exactly once.
 */
class IdlessRetryTest {
    private static final int IN_FLIGHT_AT_KILL = 5;
    /** How long one attempt waits for its reply before the same bytes go out again on a new socket. */
    private static final int ATTEMPT_TIMEOUT_MILLIS = 1_500;

    /** A statement client's request: fields, then its send time and its clock (already incremented). */
    private static byte[] request(String service, long clock, Object... fields) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            data.put((String) fields[i], fields[i + 1]);
        }
        data.put("timestamp", System.currentTimeMillis() / 1000.0);
        data.put("clock", clock);
        return new Envelope(service, data).encode();
    }

    /** Sends {@code frame} on a new REQ socket per attempt until an OK reply, within the bound. */
    private static Envelope untilOk(ZContext context, String broker, byte[] frame) {
        long deadline =
                System.nanoTime() + Duration.ofMillis(Cluster.WAIT_MILLIS_MAX).toNanos();
        Envelope last = null;
        while (System.nanoTime() < deadline) {
            try (ZMQ.Socket socket = context.createSocket(SocketType.REQ)) {
                socket.setLinger(0);
                socket.connect(broker);
                socket.send(frame);
                byte[] reply = ZmqTestSockets.receiveNudging(context, socket, ATTEMPT_TIMEOUT_MILLIS);
                if (reply != null) {
                    last = Envelope.decode(reply, Limits.DEFAULT);
                    Object status = last.data().get("status");
                    if ("OK".equals(status)
                            || "sucesso".equals(status)
                            || !last.data().containsKey("status")) {
                        return last;
                    }
                }
            }
        }
        throw new AssertionError("no OK reply within " + Cluster.WAIT_MILLIS_MAX + " ms; last: " + last);
    }

    /**
     * Sends {@code frame} on a new REQ socket that is never read: its reply is lost. The socket stays open (closed
     * with the context) so the request surely leaves; the other sockets' waits nudge the context (ZmqOptions).
     */
    private static void sendAndLoseTheReply(ZContext context, String broker, byte[] frame) {
        ZMQ.Socket socket = context.createSocket(SocketType.REQ);
        socket.setLinger(0);
        socket.connect(broker);
        socket.send(frame);
    }

    private static List<Object> texts(ZContext context, String broker, long clock) {
        Envelope history = untilOk(
                context, broker, request("history", clock, "channel", "hall", "limit", 500, "linearizable", true));
        return WireClient.messages(history).stream().map(m -> m.get("message")).toList();
    }

    @Test
    @Timeout(150)
    void aLazyPirateRetryAfterTheLeaderIsKilledIsAppliedOnce() throws Exception {
        try (Cluster cluster = new Cluster("idless-retry");
                ZContext context = new ZContext()) {
            List<String> names = List.of("server-1", "server-2", "server-3");
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String name : names) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", Cluster.initialMembers(endpoints));
            Map<String, Processes.Started> running = new LinkedHashMap<>();
            for (String name : names) {
                running.put(name, cluster.startServer(name, extra));
            }
            Processes.Started leader = Cluster.awaitLeader(List.copyOf(running.values()));
            String broker = Processes.endpoint(cluster.brokerFrontend);
            long clock = 0;
            untilOk(context, broker, request("login", ++clock, "user", "ana"));
            untilOk(context, broker, request("channel", ++clock, "channel", "hall"));

            // applied, and its reply never read
            byte[] applied = request("publish", ++clock, "user", "ana", "channel", "hall", "message", "applied");
            sendAndLoseTheReply(context, broker, applied);
            long deadline = System.nanoTime()
                    + Duration.ofMillis(Cluster.WAIT_MILLIS_MAX).toNanos();
            while (!texts(context, broker, ++clock).contains("applied")) {
                assertThat(System.nanoTime())
                        .as("the first copy is applied in time")
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
            // in flight when the leader dies: applied or not, the client cannot know
            List<byte[]> inFlight = new ArrayList<>();
            for (int i = 0; i < IN_FLIGHT_AT_KILL; i++) {
                byte[] frame = request("publish", ++clock, "user", "ana", "channel", "hall", "message", "flight-" + i);
                sendAndLoseTheReply(context, broker, frame);
                inFlight.add(frame);
            }
            Processes.kill(leader);
            running.remove(leader.name());

            assertThat(untilOk(context, broker, applied).data()).containsEntry("status", "OK");
            for (byte[] frame : inFlight) {
                assertThat(untilOk(context, broker, frame).data()).containsEntry("status", "OK");
            }
            String converged = Cluster.awaitConverged(List.copyOf(running.values()));
            System.out.printf("idless-retry: leader %s killed; survivors converged at %s%n", leader.name(), converged);

            List<String> expected = new ArrayList<>(List.of("applied"));
            for (int i = 0; i < IN_FLIGHT_AT_KILL; i++) {
                expected.add("flight-" + i);
            }
            for (int read = 0; read < 4; read++) { // the broker spreads reads over the survivors
                assertThat(texts(context, broker, ++clock))
                        .as("history read %d: each write once", read)
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }
}
