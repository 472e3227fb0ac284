package io.synod.messaging.zmtp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * A connection's outgoing queue: encoded messages (or views of one encoding shared by many connections, which are
 * read here and never written to) waiting for the socket. {@link #writeTo} copies as much of the queue as fits into
 * the calling thread's {@link #WRITE_SCRATCH} and writes it with one call: the one copy a heap buffer needs anyway
 * (the JDK would copy each into a temporary direct buffer of its own), and a turn's many small messages to one
 * subscriber leave in one system call, not one per {@code writev} batch.
 *
 * <p>Not thread-safe: owned by its connection's thread.
 */
final class ZmtpOutbox {
    /** Most bytes handed to one write call (the size of each thread's {@link #WRITE_SCRATCH}). */
    static final int WRITE_BYTES_PER_CALL_MAX = 64 << 10;
    /** A direct buffer per thread that flushes connections. */
    private static final ThreadLocal<ByteBuffer> WRITE_SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(WRITE_BYTES_PER_CALL_MAX));

    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long bytes;

    void add(ByteBuffer buffer) {
        queue.addLast(buffer);
        bytes += buffer.remaining();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Messages (and handshake parts) waiting. */
    int size() {
        return queue.size();
    }

    /** Bytes waiting. */
    long bytes() {
        return bytes;
    }

    void clear() {
        queue.clear();
        bytes = 0;
    }

    /**
     * Writes as much of the queue as {@code channel} takes now.
     *
     * @throws IOException if the write fails
     */
    void writeTo(SocketChannel channel) throws IOException {
        ByteBuffer out = WRITE_SCRATCH.get();
        while (!queue.isEmpty()) {
            out.clear();
            for (ByteBuffer buffer : queue) {
                int length = Math.min(buffer.remaining(), out.remaining());
                out.put(out.position(), buffer, buffer.position(), length);
                out.position(out.position() + length);
                if (!out.hasRemaining()) {
                    break;
                }
            }
            out.flip();
            int copied = out.remaining();
            int written = channel.write(out);
            bytes -= written;
            consume(written);
            if (written < copied) {
                return; // the socket's buffer is full: the rest when it is writable
            }
        }
    }

    /** Moves past {@code written} bytes from the head of the queue, dropping the buffers fully written. */
    private void consume(int written) {
        int left = written;
        while (!queue.isEmpty()) {
            ByteBuffer head = queue.peekFirst();
            int taken = Math.min(head.remaining(), left);
            head.position(head.position() + taken);
            left -= taken;
            if (head.hasRemaining()) {
                return;
            }
            queue.pollFirst();
        }
    }
}
