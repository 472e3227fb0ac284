package io.synod.consensus;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A compact binary codec for {@link PaxosEnvelope}s, {@link PaxosMessage}s and {@link DurableRecord}s, so adapters can
 * ship messages over peer links and persist records. Pure: byte arrays in, byte arrays out, no I/O. Every encoding
 * starts with a format version byte; decoding rejects unknown versions, unknown tags, trailing bytes and lengths
 * beyond {@link #LENGTH_MAX} with {@link IllegalArgumentException}.
 *
 * <p>Stateless; thread-safe.
 */
public final class PaxosCodec {
    /** Format version written first in every encoding. */
    public static final byte VERSION = 1;
    /** Limit on any decoded list length or byte-array length (defence against corrupt input). */
    public static final int LENGTH_MAX = 64 * 1024 * 1024;
    /**
     * The largest ballot round and slot a decoded message may carry: 2^52. Anyone can reach a replication port
     * in the course's open mode; past this bound {@code round + 1} and {@code slot + 1} in the core, and the
     * server's chat index ({@code slot * 1024 + position}), could overflow. No cluster counts that far: a
     * million slots a second for 142 years.
     */
    public static final long NUMBER_MAX = 1L << 52;

    private PaxosCodec() {}

    /** Encodes an envelope (source, target, message). */
    public static byte[] encode(PaxosEnvelope envelope) {
        Writer w = new Writer();
        w.u8(VERSION);
        w.i32(envelope.source());
        w.i32(envelope.target());
        writeMessage(w, envelope.message());
        return w.toBytes();
    }

    /** Decodes what {@link #encode(PaxosEnvelope)} produced. */
    public static PaxosEnvelope decodeEnvelope(byte[] bytes) {
        return decode(bytes, r -> new PaxosEnvelope(r.i32(), r.i32(), readMessage(r)));
    }

    /** Encodes one durable record. */
    public static byte[] encode(DurableRecord record) {
        Writer w = new Writer();
        w.u8(VERSION);
        writeRecord(w, record);
        return w.toBytes();
    }

    /** Decodes what {@link #encode(DurableRecord)} produced. */
    public static DurableRecord decodeRecord(byte[] bytes) {
        return decode(bytes, PaxosCodec::readRecord);
    }

    private interface Body<T> {
        T read(Reader r);
    }

    private static <T> T decode(byte[] bytes, Body<T> body) {
        try {
            Reader r = new Reader(ByteBuffer.wrap(bytes));
            int version = r.u8();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown codec version " + version);
            }
            T value = body.read(r);
            if (r.buffer.hasRemaining()) {
                throw new IllegalArgumentException(r.buffer.remaining() + " trailing bytes");
            }
            return value;
        } catch (BufferUnderflowException truncated) {
            throw new IllegalArgumentException("truncated input", truncated);
        }
    }

    private static void writeMessage(Writer w, PaxosMessage message) {
        switch (message) {
            case PaxosMessage.Prepare m -> w.u8(1).ballot(m.ballot()).i64(m.fromSlot());
            case PaxosMessage.Promise m -> {
                w.u8(2).ballot(m.ballot()).i64(m.decidedPrefixSlot());
                w.i32(m.decided().size());
                m.decided().forEach(w::entry);
                w.i32(m.accepted().size());
                m.accepted().forEach(w::accepted);
            }
            case PaxosMessage.Accept m ->
                w.u8(3).ballot(m.ballot()).i64(m.slot()).batch(m.value());
            case PaxosMessage.Accepted m -> w.u8(4).ballot(m.ballot()).i64(m.slot());
            case PaxosMessage.Nack m -> w.u8(5).ballot(m.rejectedBallot()).ballot(m.promisedBallot());
            case PaxosMessage.Decision m -> w.u8(6).i64(m.slot()).batch(m.value());
            case PaxosMessage.DecidedAt m -> w.u8(11).ballot(m.ballot()).i64(m.slot());
            case PaxosMessage.Heartbeat m -> w.u8(7).ballot(m.ballot()).i64(m.decidedPrefixSlot());
            case PaxosMessage.HeartbeatReply m -> w.u8(8).ballot(m.ballot()).i64(m.decidedPrefixSlot());
            case PaxosMessage.CatchUpRequest m -> w.u8(9).i64(m.fromSlot());
            case PaxosMessage.CatchUpReply m -> {
                w.u8(10).u8(m.snapshot().isPresent() ? 1 : 0);
                m.snapshot().ifPresent(w::snapshot);
                w.i32(m.entries().size());
                m.entries().forEach(w::entry);
            }
        }
    }

    private static PaxosMessage readMessage(Reader r) {
        int tag = r.u8();
        return switch (tag) {
            case 1 -> new PaxosMessage.Prepare(r.ballot(), r.slot());
            case 2 -> new PaxosMessage.Promise(r.ballot(), r.slot(), r.list(Reader::entry), r.list(Reader::accepted));
            case 3 -> new PaxosMessage.Accept(r.ballot(), r.slot(), r.batch());
            case 4 -> new PaxosMessage.Accepted(r.ballot(), r.slot());
            case 5 -> new PaxosMessage.Nack(r.ballot(), r.ballot());
            case 6 -> new PaxosMessage.Decision(r.slot(), r.batch());
            case 11 -> new PaxosMessage.DecidedAt(r.ballot(), r.slot());
            case 7 -> new PaxosMessage.Heartbeat(r.ballot(), r.slot());
            case 8 -> new PaxosMessage.HeartbeatReply(r.ballot(), r.slot());
            case 9 -> new PaxosMessage.CatchUpRequest(r.slot());
            case 10 -> {
                Optional<Snapshot> snapshot = r.u8() == 1 ? Optional.of(r.snapshot()) : Optional.empty();
                yield new PaxosMessage.CatchUpReply(snapshot, r.list(Reader::entry));
            }
            default -> throw new IllegalArgumentException("unknown message tag " + tag);
        };
    }

    private static void writeRecord(Writer w, DurableRecord record) {
        switch (record) {
            case DurableRecord.PromisedBallot p -> w.u8(1).ballot(p.ballot());
            case DurableRecord.AcceptedValue a -> w.u8(2).accepted(a.entry());
            case DurableRecord.DecidedValue d -> w.u8(3).entry(d.entry());
            case DurableRecord.DecidedAccepted d -> w.u8(5).i64(d.slot()).ballot(d.ballot());
            case DurableRecord.SnapshotSaved s -> w.u8(4).snapshot(s.snapshot());
        }
    }

    private static DurableRecord readRecord(Reader r) {
        int tag = r.u8();
        return switch (tag) {
            case 1 -> new DurableRecord.PromisedBallot(r.ballot());
            case 2 -> new DurableRecord.AcceptedValue(r.accepted());
            case 3 -> new DurableRecord.DecidedValue(r.entry());
            case 5 -> new DurableRecord.DecidedAccepted(r.slot(), r.ballot());
            case 4 -> new DurableRecord.SnapshotSaved(r.snapshot());
            default -> throw new IllegalArgumentException("unknown record tag " + tag);
        };
    }

    /** Appends big-endian primitives to a growing array. */
    private static final class Writer {
        private byte[] bytes = new byte[64];
        private int size;

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
            }
        }

        Writer u8(int value) {
            ensure(1);
            bytes[size++] = (byte) value;
            return this;
        }

        Writer i32(int value) {
            ensure(4);
            for (int shift = 24; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (value >>> shift);
            }
            return this;
        }

        Writer i64(long value) {
            ensure(8);
            for (int shift = 56; shift >= 0; shift -= 8) {
                bytes[size++] = (byte) (value >>> shift);
            }
            return this;
        }

        Writer blob(byte[] value) {
            i32(value.length);
            ensure(value.length);
            System.arraycopy(value, 0, bytes, size, value.length);
            size += value.length;
            return this;
        }

        Writer ballot(Ballot ballot) {
            return i64(ballot.round()).i32(ballot.nodeId());
        }

        Writer ints(List<Integer> values) {
            i32(values.size());
            values.forEach(this::i32);
            return this;
        }

        Writer command(LogCommand command) {
            switch (command) {
                case LogCommand.Client c ->
                    u8(1).i64(c.clientId()).i64(c.requestId()).blob(c.payload());
                case LogCommand.AddLearner c -> u8(2).i32(c.nodeId());
                case LogCommand.PromoteLearner c -> u8(3).i32(c.nodeId());
                case LogCommand.RemoveServer c -> u8(4).i32(c.nodeId());
            }
            return this;
        }

        Writer batch(Batch batch) {
            i32(batch.commands().size());
            batch.commands().forEach(this::command);
            return this;
        }

        Writer entry(LogEntry entry) {
            return i64(entry.slot()).batch(entry.value());
        }

        Writer accepted(AcceptedEntry entry) {
            return i64(entry.slot()).ballot(entry.ballot()).batch(entry.value());
        }

        Writer snapshot(Snapshot snapshot) {
            i64(snapshot.lastIncludedSlot());
            i32(snapshot.meta().configs().size());
            for (ConfigEntry c : snapshot.meta().configs()) {
                i64(c.fromSlot())
                        .ints(c.membership().voters())
                        .ints(c.membership().learners());
            }
            return blob(snapshot.state());
        }

        byte[] toBytes() {
            return Arrays.copyOf(bytes, size);
        }
    }

    /** Reads what {@link Writer} wrote. */
    private static final class Reader {
        final ByteBuffer buffer;

        Reader(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        int u8() {
            return buffer.get() & 0xFF;
        }

        int i32() {
            return buffer.getInt();
        }

        long i64() {
            return buffer.getLong();
        }

        int length() {
            int length = i32();
            if (length < 0 || length > LENGTH_MAX || length > buffer.remaining()) {
                throw new IllegalArgumentException("bad length " + length);
            }
            return length;
        }

        byte[] blob() {
            byte[] value = new byte[length()];
            buffer.get(value);
            return value;
        }

        <T> List<T> list(Body<T> element) {
            int count = length();
            List<T> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                values.add(element.read(this));
            }
            return values;
        }

        Ballot ballot() {
            return new Ballot(bounded(i64(), "ballot round"), i32());
        }

        /** A slot number (also a decided prefix or a catch-up start). */
        long slot() {
            return bounded(i64(), "slot");
        }

        private static long bounded(long value, String what) {
            if (value < 0 || value > NUMBER_MAX) {
                throw new IllegalArgumentException(what + " out of range [0, 2^52]: " + value);
            }
            return value;
        }

        LogCommand command() {
            int tag = u8();
            return switch (tag) {
                case 1 -> new LogCommand.Client(i64(), i64(), blob());
                case 2 -> new LogCommand.AddLearner(i32());
                case 3 -> new LogCommand.PromoteLearner(i32());
                case 4 -> new LogCommand.RemoveServer(i32());
                default -> throw new IllegalArgumentException("unknown command tag " + tag);
            };
        }

        Batch batch() {
            return new Batch(list(Reader::command));
        }

        LogEntry entry() {
            return new LogEntry(slot(), batch());
        }

        AcceptedEntry accepted() {
            return new AcceptedEntry(slot(), ballot(), batch());
        }

        Snapshot snapshot() {
            long slot = slot();
            List<ConfigEntry> configs =
                    list(r -> new ConfigEntry(r.slot(), new Membership(r.list(Reader::i32), r.list(Reader::i32))));
            return new Snapshot(new SnapshotMeta(slot, configs), blob());
        }
    }
}
