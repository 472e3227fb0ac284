package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How a {@link ZmtpConnection} reads: a read that leaves room in the buffer ends the connection's turn (the socket
 * is drained), so what arrives in one segment, exactly one buffer's worth, several buffers' worth, or in pieces must
 * still all come out, in order, over the owner's next turns. The peer is a plain socket speaking ZMTP, so the test
 * decides how the bytes are cut.
 */
class ZmtpConnectionReadTest {
    /** The client's read buffer ({@code ZmtpClient}'s) and its read budget per turn: one buffer. */
    private static final int BUFFER_BYTES = 64 << 10;
    /** A one-frame message of this many body bytes takes 256 on the wire (a two-byte short frame header). */
    private static final int BODY_BYTES = 254;

    private static final int WIRE_BYTES = BODY_BYTES + 2;

    private static final ZmtpClient.Config CONFIG = new ZmtpClient.Config(
            50, 100, 5_000, 100_000, new ZmtpConnection.Limits(1 << 20, 8, 1 << 20, 1_000, 1 << 20, BUFFER_BYTES));

    private final ZmtpTestLoop loop = new ZmtpTestLoop();
    private ServerSocket listener;
    private Socket peer;
    private ZmtpClient dealer;
    private int nextSeq;

    @BeforeEach
    void connect() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(10_000);
        dealer = loop.add(new ZmtpClient(
                SocketType.DEALER,
                "tcp://127.0.0.1:" + listener.getLocalPort(),
                loop.selector(),
                CONFIG,
                System.nanoTime()));
        loop.turn(); // the connection is made
        peer = listener.accept();
        peer.setTcpNoDelay(true);
        // greeting and READY in one write: the client takes both from one read
        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.write(ZmtpCodec.greeting());
        handshake.write(ZmtpCodec.ready(SocketType.ROUTER, new byte[0]));
        peer.getOutputStream().write(handshake.toByteArray());
        loop.turnUntil(dealer::isConnected);
    }

    @AfterEach
    void close() throws IOException {
        loop.close();
        if (peer != null) {
            peer.close();
        }
        listener.close();
    }

    /** {@code count} one-frame messages, numbered on from the last ones, encoded back to back. */
    private byte[] messages(int count) {
        ByteBuffer wire = ByteBuffer.allocate(count * WIRE_BYTES);
        for (int i = 0; i < count; i++) {
            ByteBuffer body = ByteBuffer.allocate(BODY_BYTES).putInt(nextSeq++);
            wire.put(ZmtpCodec.message(List.of(body.array())));
        }
        assertThat(wire.hasRemaining()).isFalse();
        return wire.array();
    }

    /** Turns until {@code count} messages have come, and checks they are the next ones in order. */
    private void expect(int fromSeq, int count) throws IOException {
        List<List<byte[]>> received = new ArrayList<>();
        loop.turnUntil(() -> {
            List<byte[]> message;
            while ((message = dealer.receive()) != null) {
                received.add(message);
            }
            return received.size() >= count;
        });
        assertThat(received).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(received.get(i)).hasSize(1);
            assertThat(ByteBuffer.wrap(received.get(i).get(0)).getInt()).isEqualTo(fromSeq + i);
        }
    }

    @Test
    void exactlyOneBufferInOneWriteIsAllDeliveredAndTheConnectionReadsOn() throws IOException {
        OutputStream out = peer.getOutputStream();
        out.write(messages(BUFFER_BYTES / WIRE_BYTES)); // 256 messages: the read fills the buffer exactly
        expect(0, BUFFER_BYTES / WIRE_BYTES);
        out.write(messages(1)); // after a read that filled the buffer, then one that found nothing
        expect(BUFFER_BYTES / WIRE_BYTES, 1);
        assertThat(dealer.isConnected()).isTrue();
    }

    @Test
    void severalBuffersBeyondTheTurnBudgetInOneWriteAreAllDeliveredInOrder() throws IOException {
        int count = 3 * BUFFER_BYTES / WIRE_BYTES + 7; // over three turns' budget, the last read a partial one
        peer.getOutputStream().write(messages(count));
        expect(0, count);
        assertThat(dealer.isConnected()).isTrue();
    }

    @Test
    void aMessageCutAcrossWritesIsDeliveredOnceItsLastByteArrives() throws IOException {
        OutputStream out = peer.getOutputStream();
        byte[] wire = messages(3);
        out.write(wire, 0, WIRE_BYTES + 100); // one whole message, and the start of the next
        expect(0, 1);
        loop.turnFor(50); // the socket is drained: these turns read nothing more
        assertThat(dealer.hasReceived()).isFalse();
        out.write(wire, WIRE_BYTES + 100, wire.length - WIRE_BYTES - 100);
        expect(1, 2);
    }

    @Test
    void messagesFollowedAtOnceByTheEndOfTheStreamAreDeliveredBeforeTheClose() throws IOException {
        peer.getOutputStream().write(messages(10));
        peer.shutdownOutput(); // the FIN right behind the data: the drained read does not see it, the next turn does
        expect(0, 10);
        loop.turnUntil(() -> !dealer.isConnected());
    }
}
