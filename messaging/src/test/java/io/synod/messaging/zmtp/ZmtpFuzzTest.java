package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the ZMTP decoder on what a connection may receive: the greeting, commands (READY and its
 * properties, PING, SUBSCRIBE...) and frames, handled as {@link ZmtpConnection} handles them. Seeds ({@code
 * ZmtpFuzzTestInputs/decode}): a DEALER's and a SUB's whole conversation. How CI and {@code scripts/fuzz.sh} run it:
 * ARCHITECTURE.md, test kit.
 */
class ZmtpFuzzTest {
    private static final int FRAME_BYTES_MAX = 300;
    private static final int MESSAGE_FRAMES_MAX = 4;
    private static final long MESSAGE_BYTES_MAX = 600;

    /**
     * The stream is decoded within the limits or refused with a {@link ZmtpException}; the same bytes arriving in
     * any pieces (here: all at once, and in pieces whose sizes the input's first byte chooses) give the same events.
     */
    @FuzzTest(maxDuration = "10s", maxExecutions = 200_000)
    void decode(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int piece = 1 + (input[0] & 0x3F);
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        List<String> whole = events(stream, stream.length);
        assertThat(events(stream, piece)).isEqualTo(whole);
    }

    /** What a connection sees when {@code stream} arrives {@code piece} bytes at a time. */
    private static List<String> events(byte[] stream, int piece) {
        Recorder recorder = new Recorder();
        ZmtpCodec.Decoder decoder = new ZmtpCodec.Decoder(FRAME_BYTES_MAX, MESSAGE_FRAMES_MAX, MESSAGE_BYTES_MAX);
        try {
            for (int from = 0; from < stream.length; from += piece) {
                ByteBuffer in = ByteBuffer.wrap(stream, from, Math.min(piece, stream.length - from));
                decoder.feed(in, recorder);
                assertThat(in.hasRemaining()).isFalse();
            }
        } catch (ZmtpException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            recorder.events.add("refused");
        }
        return recorder.events;
    }

    /** Records each event, handling commands as a connection does. */
    private static final class Recorder implements ZmtpCodec.Sink {
        final List<String> events = new ArrayList<>();

        @Override
        public void signature() {
            events.add("signature");
        }

        @Override
        public void greeting(byte[] greeting) {
            assertThat(greeting).hasSize(ZmtpCodec.GREETING_BYTES);
            ZmtpCodec.checkGreeting(greeting);
            events.add("greeting");
        }

        @Override
        public void command(byte[] body) {
            assertThat(body.length).isLessThanOrEqualTo(FRAME_BYTES_MAX);
            ZmtpCodec.Command command = ZmtpCodec.parseCommand(body);
            StringBuilder event = new StringBuilder("command ").append(command.name());
            if (command.name().equals("READY")) {
                Map<String, byte[]> properties = ZmtpCodec.parseProperties(command.data());
                byte[] type = properties.get("Socket-Type");
                if (type != null) {
                    event.append(' ').append(ZmtpCodec.SocketType.named(new String(type, StandardCharsets.US_ASCII)));
                }
                properties.forEach((name, value) -> event.append(' ')
                        .append(name)
                        .append('=')
                        .append(HexFormat.of().formatHex(value)));
            } else if (command.name().equals("PING")) {
                event.append(' ').append(HexFormat.of().formatHex(ZmtpCodec.pong(command.data())));
            }
            events.add(event.toString());
        }

        @Override
        public void message(List<byte[]> frames) {
            assertThat(frames).isNotEmpty().hasSizeLessThanOrEqualTo(MESSAGE_FRAMES_MAX);
            long bytes = 0;
            StringBuilder event = new StringBuilder("message");
            for (byte[] frame : frames) {
                bytes += frame.length;
                event.append(' ').append(HexFormat.of().formatHex(frame));
            }
            assertThat(bytes).isLessThanOrEqualTo(MESSAGE_BYTES_MAX);
            events.add(event.toString());
        }
    }
}
