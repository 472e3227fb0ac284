package io.synod.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PaxosCodecTest {
    private static final Ballot B = new Ballot(7, 2);
    private static final Batch BATCH = new Batch(List.of(
            new LogCommand.Client(3, 4, new byte[] {1, 2, 3}),
            new LogCommand.AddLearner(4),
            new LogCommand.PromoteLearner(4),
            new LogCommand.RemoveServer(1)));
    private static final Snapshot SNAPSHOT = new Snapshot(
            new SnapshotMeta(9, List.of(new ConfigEntry(10, new Membership(List.of(1, 2, 3), List.of(4))))),
            new byte[] {9, 8});

    static List<PaxosMessage> everyMessage() {
        return List.of(
                new PaxosMessage.Prepare(B, 5),
                new PaxosMessage.Promise(
                        B, 4, List.of(new LogEntry(5, BATCH)), List.of(new AcceptedEntry(6, B, BATCH))),
                new PaxosMessage.Accept(B, 6, BATCH),
                new PaxosMessage.Accepted(B, 6),
                new PaxosMessage.Nack(B, new Ballot(8, 1)),
                new PaxosMessage.Decision(6, Batch.NOOP),
                new PaxosMessage.DecidedAt(B, 6),
                new PaxosMessage.Heartbeat(B, 6),
                new PaxosMessage.HeartbeatReply(B, 3),
                new PaxosMessage.CatchUpRequest(2),
                new PaxosMessage.CatchUpReply(Optional.of(SNAPSHOT), List.of(new LogEntry(10, BATCH))),
                new PaxosMessage.CatchUpReply(Optional.empty(), List.of()));
    }

    @Test
    void everyMessageRoundTrips() {
        for (PaxosMessage message : everyMessage()) {
            PaxosEnvelope envelope = new PaxosEnvelope(1, 3, message);
            assertThat(PaxosCodec.decodeEnvelope(PaxosCodec.encode(envelope))).isEqualTo(envelope);
        }
    }

    @Test
    void everyDurableRecordRoundTrips() {
        List<DurableRecord> records = List.of(
                new DurableRecord.PromisedBallot(B),
                new DurableRecord.AcceptedValue(new AcceptedEntry(3, B, BATCH)),
                new DurableRecord.DecidedValue(new LogEntry(3, BATCH)),
                new DurableRecord.DecidedAccepted(3, B),
                new DurableRecord.SnapshotSaved(SNAPSHOT));
        for (DurableRecord record : records) {
            assertThat(PaxosCodec.decodeRecord(PaxosCodec.encode(record))).isEqualTo(record);
        }
    }

    /**
     * Anyone can reach a replication port in the open mode: a ballot round or slot near 2^63 would make the core's
     * {@code + 1} overflow (issue 19), so decoding refuses them and accepts everything up to the bound.
     */
    @Test
    void roundsAndSlotsBeyondTheBoundAreRefused() {
        long max = PaxosCodec.NUMBER_MAX;
        PaxosEnvelope largest = new PaxosEnvelope(1, 2, new PaxosMessage.Accept(new Ballot(max, 1), max, BATCH));
        assertThat(PaxosCodec.decodeEnvelope(PaxosCodec.encode(largest))).isEqualTo(largest);
        List<PaxosMessage> tooLarge = List.of(
                new PaxosMessage.Prepare(new Ballot(Long.MAX_VALUE, 1), 1),
                new PaxosMessage.Prepare(new Ballot(max + 1, 1), 1),
                new PaxosMessage.Accept(B, max + 1, BATCH),
                new PaxosMessage.Decision(Long.MAX_VALUE, BATCH),
                new PaxosMessage.CatchUpRequest(Long.MAX_VALUE));
        for (PaxosMessage message : tooLarge) {
            byte[] bytes = PaxosCodec.encode(new PaxosEnvelope(1, 2, message));
            assertThatThrownBy(() -> PaxosCodec.decodeEnvelope(bytes))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("out of range");
        }
    }

    @Test
    void aDecidedAtAndADecidedMarkerAreAFewBytesWhateverTheValue() {
        Batch big = Batch.of(new LogCommand.Client(3, 4, new byte[10_000]));
        assertThat(PaxosCodec.encode(new PaxosEnvelope(1, 2, new PaxosMessage.Decision(6, big))))
                .hasSizeGreaterThan(10_000);
        assertThat(PaxosCodec.encode(new PaxosEnvelope(1, 2, new PaxosMessage.DecidedAt(B, 6))))
                .hasSizeLessThan(40);
        assertThat(PaxosCodec.encode(new DurableRecord.DecidedValue(new LogEntry(6, big))))
                .hasSizeGreaterThan(10_000);
        assertThat(PaxosCodec.encode(new DurableRecord.DecidedAccepted(6, B))).hasSizeLessThan(40);
    }

    @Test
    void corruptInputIsRejectedWithIllegalArgument() {
        byte[] good = PaxosCodec.encode(new PaxosEnvelope(1, 2, new PaxosMessage.Accept(B, 6, BATCH)));
        for (int cut = 0; cut < good.length; cut++) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> PaxosCodec.decodeEnvelope(truncated)).isInstanceOf(IllegalArgumentException.class);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> PaxosCodec.decodeEnvelope(trailing)).hasMessageContaining("trailing");
        byte[] badVersion = good.clone();
        badVersion[0] = 99;
        assertThatThrownBy(() -> PaxosCodec.decodeEnvelope(badVersion)).hasMessageContaining("version");
    }
}
