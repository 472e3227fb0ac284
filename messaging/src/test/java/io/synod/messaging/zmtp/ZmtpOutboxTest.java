package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

class ZmtpOutboxTest {
    /** A connected loopback pair: [0] writes (non-blocking), [1] reads (blocking). */
    private static SocketChannel[] pair(ServerSocketChannel server) throws IOException {
        SocketChannel writer = SocketChannel.open(server.getLocalAddress());
        SocketChannel reader = server.accept();
        writer.configureBlocking(false);
        return new SocketChannel[] {writer, reader};
    }

    private static ServerSocketChannel listen() throws IOException {
        return ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    private static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return bytes;
    }

    /** Reads (blocking) until {@code out} holds {@code length} bytes: what the writer has written so far. */
    private static void readUpTo(SocketChannel reader, ByteArrayOutputStream out, long length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        while (out.size() < length) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - out.size()));
            int read = reader.read(buffer);
            assertThat(read).as("the connection stays open").isPositive();
            out.write(buffer.array(), 0, read);
        }
    }

    @Test
    void sharedSmallAndLargerThanOneWriteBuffersArriveWholeAndInOrderOnEachConnection() throws IOException {
        byte[] shared = pattern(170, 1);
        byte[] large = pattern(ZmtpOutbox.WRITE_BYTES_PER_CALL_MAX * 2 + 123, 2);
        ByteBuffer encodedOnce = ByteBuffer.wrap(shared);
        ZmtpOutbox one = new ZmtpOutbox();
        ZmtpOutbox two = new ZmtpOutbox();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 2_000; i++) {
            one.add(encodedOnce.duplicate());
            two.add(encodedOnce.duplicate());
            expected.write(shared);
            if (i == 1_000) {
                one.add(ByteBuffer.wrap(large));
                two.add(ByteBuffer.wrap(large));
                expected.write(large);
            }
        }
        long total = expected.size();
        assertThat(one.bytes()).isEqualTo(total);
        assertThat(one.size()).isEqualTo(2_001);
        ByteArrayOutputStream gotOne = new ByteArrayOutputStream();
        ByteArrayOutputStream gotTwo = new ByteArrayOutputStream();
        try (ServerSocketChannel server = listen()) {
            SocketChannel[] first = pair(server);
            SocketChannel[] second = pair(server);
            try {
                // each round writes what the socket takes (more than its buffer holds in all), then the peer reads it
                for (int round = 0; round < 10_000 && !(one.isEmpty() && two.isEmpty()); round++) {
                    one.writeTo(first[0]);
                    two.writeTo(second[0]);
                    readUpTo(first[1], gotOne, total - one.bytes());
                    readUpTo(second[1], gotTwo, total - two.bytes());
                }
            } finally {
                for (SocketChannel channel : new SocketChannel[] {first[0], first[1], second[0], second[1]}) {
                    channel.close();
                }
            }
        }
        assertThat(one.isEmpty()).isTrue();
        assertThat(two.isEmpty()).isTrue();
        assertThat(one.bytes()).isZero();
        assertThat(gotOne.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(gotTwo.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(encodedOnce.position())
                .as("the shared encoding itself is never moved")
                .isZero();
    }
}
