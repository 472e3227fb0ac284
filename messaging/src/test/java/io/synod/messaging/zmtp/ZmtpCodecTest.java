package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.messaging.zmtp.ZmtpCodec.SocketType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZmtpCodecTest {
    /** Collects what a decoder hands over. */
    private static final class Collected implements ZmtpCodec.Sink {
        final List<byte[]> greetings = new ArrayList<>();
        final List<byte[]> commands = new ArrayList<>();
        final List<List<byte[]>> messages = new ArrayList<>();

        @Override
        public void greeting(byte[] greeting) {
            greetings.add(greeting);
        }

        @Override
        public void command(byte[] body) {
            commands.add(body);
        }

        @Override
        public void message(List<byte[]> frames) {
            messages.add(frames);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    @Test
    void theGreetingIsVersion3WithTheNullMechanism() {
        byte[] greeting = ZmtpCodec.greeting();
        assertThat(greeting).hasSize(64);
        assertThat(greeting[0] & 0xFF).isEqualTo(0xFF);
        assertThat(greeting[9]).isEqualTo((byte) 0x7F);
        assertThat(greeting[10]).isEqualTo((byte) 3);
        assertThat(new String(greeting, 12, 4, StandardCharsets.US_ASCII)).isEqualTo("NULL");
        ZmtpCodec.checkGreeting(greeting);
    }

    @Test
    void greetingsOfOtherVersionsOrMechanismsAreRefused() {
        byte[] old = ZmtpCodec.greeting();
        old[10] = 2;
        assertThatThrownBy(() -> ZmtpCodec.checkGreeting(old)).hasMessageContaining("3.0 or newer");
        byte[] curve = ZmtpCodec.greeting();
        System.arraycopy("CURVE".getBytes(StandardCharsets.US_ASCII), 0, curve, 12, 5);
        assertThatThrownBy(() -> ZmtpCodec.checkGreeting(curve)).hasMessageContaining("CURVE");
        byte[] http = Arrays.copyOf("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), 64);
        assertThatThrownBy(() -> ZmtpCodec.checkGreeting(http)).hasMessageContaining("signature");
    }

    @Test
    void readyCarriesTheSocketTypeAndIdentity() {
        byte[] frame = ZmtpCodec.ready(SocketType.DEALER, "ana".getBytes(StandardCharsets.UTF_8));
        assertThat(frame[0]).isEqualTo((byte) ZmtpCodec.FLAG_COMMAND);
        byte[] body = Arrays.copyOfRange(frame, 2, frame.length);
        ZmtpCodec.Command command = ZmtpCodec.parseCommand(body);
        assertThat(command.name()).isEqualTo("READY");
        Map<String, byte[]> properties = ZmtpCodec.parseProperties(command.data());
        assertThat(new String(properties.get("Socket-Type"), StandardCharsets.US_ASCII))
                .isEqualTo("DEALER");
        assertThat(new String(properties.get("Identity"), StandardCharsets.UTF_8))
                .isEqualTo("ana");
        byte[] anonymous = ZmtpCodec.ready(SocketType.ROUTER, null);
        assertThat(ZmtpCodec.parseProperties(ZmtpCodec.parseCommand(Arrays.copyOfRange(anonymous, 2, anonymous.length))
                        .data()))
                .containsOnlyKeys("Socket-Type");
    }

    @Test
    void malformedPropertiesAndCommandsAreErrors() {
        assertThatThrownBy(() -> ZmtpCodec.parseProperties(new byte[] {5, 'a', 'b'}))
                .isInstanceOf(ZmtpException.class);
        assertThatThrownBy(() -> ZmtpCodec.parseProperties(new byte[] {1, 'a', 0, 0, 0, 9, 1}))
                .isInstanceOf(ZmtpException.class);
        assertThatThrownBy(() -> ZmtpCodec.parseCommand(new byte[] {9, 'P'})).isInstanceOf(ZmtpException.class);
        assertThatThrownBy(() -> ZmtpCodec.parseCommand(new byte[0])).isInstanceOf(ZmtpException.class);
    }

    @Test
    void aPingCarriesItsTimeToLiveInTenthsOfSeconds() {
        byte[] ping = ZmtpCodec.ping(10_000);
        ZmtpCodec.Command command = ZmtpCodec.parseCommand(Arrays.copyOfRange(ping, 2, ping.length));
        assertThat(command.name()).isEqualTo("PING");
        assertThat(command.data()).containsExactly(0, 100);
        byte[] longest = ZmtpCodec.ping(Long.MAX_VALUE);
        assertThat(ZmtpCodec.parseCommand(Arrays.copyOfRange(longest, 2, longest.length))
                        .data())
                .containsExactly(0xFF, 0xFF);
    }

    @Test
    void aPongEchoesThePingContext() {
        byte[] pong = ZmtpCodec.pong(new byte[] {7, 8, 9});
        ZmtpCodec.Command command = ZmtpCodec.parseCommand(Arrays.copyOfRange(pong, 2, pong.length));
        assertThat(command.name()).isEqualTo("PONG");
        assertThat(command.data()).containsExactly(7, 8, 9);
        assertThat(ZmtpCodec.parseCommand(Arrays.copyOfRange(ZmtpCodec.pong(new byte[40]), 2, 2 + 1 + 4 + 16))
                        .data())
                .hasSize(ZmtpCodec.PING_CONTEXT_BYTES_MAX);
    }

    /** A stream of a greeting, a READY, then messages of every shape, split at seeded random points. */
    @Test
    void theDecoderReassemblesAnyStreamCutAnywhere() {
        for (long seed = 1; seed <= 200; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            stream.writeBytes(ZmtpCodec.greeting());
            stream.writeBytes(ZmtpCodec.ready(SocketType.REQ, null));
            List<List<byte[]>> sent = new ArrayList<>();
            int count = 1 + random.nextInt(20);
            for (int m = 0; m < count; m++) {
                List<byte[]> frames = new ArrayList<>();
                int frameCount = 1 + random.nextInt(4);
                for (int f = 0; f < frameCount; f++) {
                    int size = switch (random.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(256);
                        case 2 -> 256 + random.nextInt(2_000);
                        default -> 70_000 + random.nextInt(100_000);
                    };
                    byte[] frame = new byte[size];
                    random.nextBytes(frame);
                    frames.add(frame);
                }
                sent.add(frames);
                stream.writeBytes(bytes(ZmtpCodec.message(frames)));
            }
            byte[] all = stream.toByteArray();
            ZmtpCodec.Decoder decoder = new ZmtpCodec.Decoder(1 << 20, 16, 4 << 20);
            Collected collected = new Collected();
            int at = 0;
            while (at < all.length) {
                int piece = Math.min(all.length - at, 1 + random.nextInt(random.nextBoolean() ? 10 : 50_000));
                decoder.feed(ByteBuffer.wrap(all, at, piece), collected);
                at += piece;
            }
            assertThat(collected.greetings).as("seed %d", seed).hasSize(1);
            assertThat(collected.commands).as("seed %d", seed).hasSize(1);
            assertThat(collected.messages).as("seed %d", seed).hasSize(sent.size());
            for (int m = 0; m < sent.size(); m++) {
                assertThat(collected.messages.get(m))
                        .as("seed %d message %d", seed, m)
                        .hasSize(sent.get(m).size());
                for (int f = 0; f < sent.get(m).size(); f++) {
                    assertThat(collected.messages.get(m).get(f))
                            .isEqualTo(sent.get(m).get(f));
                }
            }
        }
    }

    private static ZmtpCodec.Decoder greeted(Collected collected) {
        ZmtpCodec.Decoder decoder = new ZmtpCodec.Decoder(1_000, 3, 2_000);
        decoder.feed(ByteBuffer.wrap(ZmtpCodec.greeting()), collected);
        return decoder;
    }

    @Test
    void limitsAndProtocolViolationsAreErrors() {
        Collected collected = new Collected();
        ZmtpCodec.Decoder oversized = greeted(collected);
        assertThatThrownBy(() -> oversized.feed(ByteBuffer.wrap(new byte[] {2, 0, 0, 0, 0, 0, 0, 0x10, 0}), collected))
                .hasMessageContaining("over the limit");
        ZmtpCodec.Decoder negative = greeted(collected);
        assertThatThrownBy(() ->
                        negative.feed(ByteBuffer.wrap(new byte[] {2, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0}), collected))
                .isInstanceOf(ZmtpException.class);
        ZmtpCodec.Decoder reserved = greeted(collected);
        assertThatThrownBy(() -> reserved.feed(ByteBuffer.wrap(new byte[] {8, 0}), collected))
                .hasMessageContaining("reserved");
        ZmtpCodec.Decoder commandMore = greeted(collected);
        assertThatThrownBy(() -> commandMore.feed(ByteBuffer.wrap(new byte[] {5, 0}), collected))
                .hasMessageContaining("MORE");
        ZmtpCodec.Decoder tooManyFrames = greeted(collected);
        assertThatThrownBy(() -> tooManyFrames.feed(ByteBuffer.wrap(new byte[] {1, 0, 1, 0, 1, 0, 1, 0}), collected))
                .hasMessageContaining("frames");
        ZmtpCodec.Decoder tooManyBytes = greeted(collected);
        ByteBuffer big = ZmtpCodec.message(List.of(new byte[900], new byte[900], new byte[900]));
        assertThatThrownBy(() -> tooManyBytes.feed(big, collected)).hasMessageContaining("bytes");
        ZmtpCodec.Decoder notZmtp = new ZmtpCodec.Decoder(1_000, 3, 2_000);
        assertThatThrownBy(() -> notZmtp.feed(
                        ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)), collected))
                .hasMessageContaining("signature");
        assertThat(collected.messages).isEmpty();
    }

    @Test
    void aLargeAnnouncedFrameIsNotAllocatedBeforeItsBytesArrive() {
        Collected collected = new Collected();
        ZmtpCodec.Decoder decoder = new ZmtpCodec.Decoder(1 << 30, 1, 1L << 30);
        decoder.feed(ByteBuffer.wrap(ZmtpCodec.greeting()), collected);
        long before = usedHeap();
        for (int i = 0; i < 1_000; i++) {
            ZmtpCodec.Decoder each = new ZmtpCodec.Decoder(1 << 30, 1, 1L << 30);
            each.feed(ByteBuffer.wrap(ZmtpCodec.greeting()), collected);
            each.feed(ByteBuffer.wrap(new byte[] {2, 0, 0, 0, 0, 0x3F, 0, 0, 0, 1}), collected);
        }
        // 1,000 announced frames of 1 GiB each hold a first piece each, not a gigabyte.
        assertThat(usedHeap() - before).isLessThan(1L << 30);
        assertThat(collected.messages).isEmpty();
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Test
    void socketTypesPairAsTheSpecSays() {
        assertThat(SocketType.ROUTER.accepts(SocketType.REQ)).isTrue();
        assertThat(SocketType.ROUTER.accepts(SocketType.DEALER)).isTrue();
        assertThat(SocketType.DEALER.accepts(SocketType.REP)).isTrue();
        assertThat(SocketType.XPUB.accepts(SocketType.SUB)).isTrue();
        assertThat(SocketType.XSUB.accepts(SocketType.PUB)).isTrue();
        assertThat(SocketType.ROUTER.accepts(SocketType.PUB)).isFalse();
        assertThat(SocketType.XSUB.accepts(SocketType.SUB)).isFalse();
        assertThat(SocketType.DEALER.accepts(SocketType.REQ)).isFalse();
        assertThat(SocketType.named("PAIR")).isNull();
    }
}
