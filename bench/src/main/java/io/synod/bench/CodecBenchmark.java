package io.synod.bench;

import io.synod.consensus.Ballot;
import io.synod.consensus.Batch;
import io.synod.consensus.LogCommand;
import io.synod.consensus.PaxosCodec;
import io.synod.consensus.PaxosEnvelope;
import io.synod.consensus.PaxosMessage;
import io.synod.core.ChatCommand;
import io.synod.core.ChatCommands;
import io.synod.core.Command;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.Publication;
import io.synod.protocol.Replies;
import io.synod.protocol.Request;
import io.synod.protocol.RequestMeta;
import io.synod.protocol.Requests;
import io.synod.protocol.Services;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The codecs one statement {@code publish} request goes through in a server, one operation each, on fixed inputs
 * (a {@link #MESSAGE_CHARS}-character ASCII message, short user and channel names, and the fields a Synod client
 * sends: {@code timestamp}, {@code clock}, {@code client_id}, {@code request_id}):
 *
 * <ul>
 *   <li>{@link #requestDecode}: a request frame to a {@link Request.Publish} ({@link Envelope#decode}, then
 *       {@link Requests#parse}), as {@code ChatService.handle} does;
 *   <li>{@link #requestEncode}: the same request to a frame ({@link Request#toEnvelope()}, {@link Envelope#encode}),
 *       as a client does;
 *   <li>{@link #replyEncode}: the {@code OK} reply with the echoed ids, stamped and encoded, the steps of
 *       {@code ChatService.reply};
 *   <li>{@link #publicationEncode}: the channel post's payload ({@link Publication#encodePayload()});
 *   <li>{@link #chatCommandEncode} and {@link #chatCommandDecode}: the chat {@link Command} alone
 *       ({@link ChatCommands});
 *   <li>{@link #acceptEncode} and {@link #acceptDecode}: the chat command as it crosses a replication link, inside a
 *       one-command Paxos {@code Accept} ({@link ChatCommands} plus {@link PaxosCodec}), as the replication driver
 *       wraps it.
 * </ul>
 *
 * <p>Run with {@code -prof gc} to see the bytes allocated per operation ({@code gc.alloc.rate.norm}).
 *
 * <p>Not thread-safe: JMH gives each benchmark thread its own state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    static final int MESSAGE_CHARS = 100;
    private static final String USER = "alice";
    private static final String CHANNEL = "general";
    private static final String CLIENT_ID = "client-7f3a9c21";
    private static final double TIMESTAMP_SECONDS = 1_795_000_000.125;

    private Limits limits;
    private Request.Publish request;
    private byte[] requestFrame;
    private Publication.ChannelPost post;
    private Command command;
    private byte[] commandBytes;
    private byte[] acceptBytes;
    private long nextClock;

    @Setup(Level.Trial)
    public void setUp() {
        limits = Limits.DEFAULT;
        String message = message(MESSAGE_CHARS);
        request = new Request.Publish(new RequestMeta(TIMESTAMP_SECONDS, 41, CLIENT_ID, 12), USER, CHANNEL, message);
        requestFrame = request.toEnvelope().encode();
        post = new Publication.ChannelPost(CHANNEL, USER, message, TIMESTAMP_SECONDS, 42, 1_234, "5678-0", 5_678);
        command = new Command(
                5_678, TIMESTAMP_SECONDS, 42, CLIENT_ID, 12, new ChatCommand.Publish(USER, CHANNEL, message));
        commandBytes = ChatCommands.encode(command);
        acceptBytes = acceptEncode();
        nextClock = 100;
    }

    /** A request frame to a parsed {@link Request}. */
    @Benchmark
    public Request requestDecode() {
        return Requests.parse(Envelope.decode(requestFrame, limits), limits);
    }

    /** A parsed request back to a frame, as a client sends it. */
    @Benchmark
    public byte[] requestEncode() {
        return request.toEnvelope().encode();
    }

    /** The success reply with the echoed ids, stamped with time and Lamport clock, then encoded. */
    @Benchmark
    public byte[] replyEncode() {
        Envelope reply = Replies.success(Services.PUBLISH);
        Map<String, Object> data = new LinkedHashMap<>(reply.data());
        data.put("client_id", CLIENT_ID);
        data.put("request_id", 12L);
        reply = new Envelope(reply.service(), data);
        return reply.stamped(TIMESTAMP_SECONDS, ++nextClock).encode();
    }

    /** The payload frame of the channel post published on the proxy. */
    @Benchmark
    public byte[] publicationEncode() {
        return post.encodePayload();
    }

    @Benchmark
    public byte[] chatCommandEncode() {
        return ChatCommands.encode(command);
    }

    @Benchmark
    public Command chatCommandDecode() {
        return ChatCommands.decode(commandBytes);
    }

    /** The chat command encoded and wrapped as the only command of a Paxos Accept, then the Accept encoded. */
    @Benchmark
    public byte[] acceptEncode() {
        LogCommand.Client client = new LogCommand.Client(1, 77, ChatCommands.encode(command));
        PaxosMessage.Accept accept = new PaxosMessage.Accept(new Ballot(3, 1), 5_678, Batch.of(client));
        return PaxosCodec.encode(new PaxosEnvelope(1, 2, accept));
    }

    /** An encoded Accept back to the chat command it carries. */
    @Benchmark
    public Command acceptDecode() {
        PaxosEnvelope envelope = PaxosCodec.decodeEnvelope(acceptBytes);
        PaxosMessage.Accept accept = (PaxosMessage.Accept) envelope.message();
        LogCommand.Client client = (LogCommand.Client) accept.value().commands().get(0);
        return ChatCommands.decode(client.payload());
    }

    Request.Publish request() {
        return request;
    }

    Command command() {
        return command;
    }

    int requestFrameBytes() {
        return requestFrame.length;
    }

    /** Printable ASCII text of {@code chars} characters, so that characters and UTF-8 bytes are the same count. */
    static String message(int chars) {
        StringBuilder text = new StringBuilder(chars);
        String words = "the quick brown fox jumps over the lazy dog ";
        while (text.length() < chars) {
            text.append(words.charAt(text.length() % words.length()));
        }
        return text.toString();
    }
}
