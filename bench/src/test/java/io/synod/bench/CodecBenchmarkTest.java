package io.synod.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.ChatCommands;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.Publication;
import io.synod.protocol.Replies;
import io.synod.protocol.Request;
import io.synod.protocol.Requests;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Keeps the codec benchmarks honest without timing anything: every body must round-trip its input. */
class CodecBenchmarkTest {
    private final CodecBenchmark benchmark = new CodecBenchmark();

    @BeforeEach
    void setUp() {
        benchmark.setUp();
    }

    @Test
    void theRequestIsAPublishOfAHundredCharacterMessage() {
        assertThat(benchmark.request().message()).hasSize(CodecBenchmark.MESSAGE_CHARS);
        assertThat(benchmark.requestFrameBytes()).isBetween(150, 250);
    }

    @Test
    void requestDecodeGivesTheEncodedRequest() {
        Request decoded = benchmark.requestDecode();
        assertThat(decoded).isEqualTo(benchmark.request());
    }

    @Test
    void requestEncodeGivesAFrameThatDecodesToTheRequest() {
        byte[] frame = benchmark.requestEncode();
        assertThat(Requests.parse(Envelope.decode(frame, Limits.DEFAULT), Limits.DEFAULT))
                .isEqualTo(benchmark.request());
    }

    @Test
    void replyEncodeGivesAStampedOkReplyWithTheEchoedIds() {
        Envelope reply = Envelope.decode(benchmark.replyEncode(), Limits.DEFAULT);
        assertThat(reply.service()).isEqualTo("publish");
        assertThat(Replies.isSuccess(reply)).isTrue();
        assertThat(reply.data())
                .containsEntry("client_id", benchmark.request().meta().clientId())
                .containsEntry("request_id", benchmark.request().meta().requestId())
                .containsKeys("timestamp", "clock");
        long firstClock = (Long) reply.data().get("clock");
        Envelope next = Envelope.decode(benchmark.replyEncode(), Limits.DEFAULT);
        assertThat((Long) next.data().get("clock")).isGreaterThan(firstClock);
    }

    @Test
    void publicationEncodeGivesThePostPayload() {
        @SuppressWarnings("unchecked")
        Map<String, Object> payload =
                (Map<String, Object>) MsgPack.decode(benchmark.publicationEncode(), Limits.DEFAULT);
        Publication decoded = Publication.fromPayload("general", payload, Limits.DEFAULT);
        assertThat(decoded).isInstanceOf(Publication.ChannelPost.class);
        assertThat(((Publication.ChannelPost) decoded).message())
                .isEqualTo(benchmark.request().message());
        assertThat(decoded.seq()).isEqualTo(1_234);
    }

    @Test
    void chatCommandEncodeAndDecodeRoundTrip() {
        assertThat(ChatCommands.decode(benchmark.chatCommandEncode())).isEqualTo(benchmark.command());
        assertThat(benchmark.chatCommandDecode()).isEqualTo(benchmark.command());
    }

    @Test
    void acceptEncodeAndDecodeCarryTheChatCommand() {
        assertThat(benchmark.acceptEncode().length).isGreaterThan(benchmark.chatCommandEncode().length);
        assertThat(benchmark.acceptDecode()).isEqualTo(benchmark.command());
    }
}
