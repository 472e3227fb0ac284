package io.synod.messaging.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.clock.BerkeleyMessage;
import io.synod.clock.BerkeleyMessage.ClockReply;
import io.synod.clock.BerkeleyMessage.ClockRequest;
import io.synod.clock.BerkeleyMessage.TimeAdjustment;
import io.synod.clock.BerkeleyMessage.TimeReply;
import io.synod.clock.BerkeleyMessage.TimeRequest;
import io.synod.clock.ElectionMessage;
import io.synod.clock.ElectionMessage.CoordinatorAnnouncement;
import io.synod.clock.ElectionMessage.CoordinatorHeartbeat;
import io.synod.clock.ElectionMessage.ElectionOk;
import io.synod.clock.ElectionMessage.ElectionRequest;
import io.synod.messaging.peer.CoordinationCodec.Decoded;
import io.synod.messaging.peer.CoordinationCodec.PeerMember;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import io.synod.protocol.ProtocolException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CoordinationCodecTest {
    /** Encodes, stamps as PeerLinks would, goes through MessagePack bytes, decodes. */
    private static Optional<Decoded> roundTrip(Envelope envelope) {
        byte[] frame = envelope.stamped(1_700_000_000.5, 3).encode();
        return CoordinationCodec.decode(Envelope.decode(frame, Limits.DEFAULT), -1, Limits.DEFAULT);
    }

    @Test
    void statementElectionMessagesKeepTheStatementFieldsExactly() {
        assertThat(CoordinationCodec.encode(new ElectionRequest(), "s1")).isEqualTo(new Envelope("election", Map.of()));
        assertThat(CoordinationCodec.encode(new ElectionOk(), "s1").data()).isEqualTo(Map.of("election", "OK"));
        assertThat(CoordinationCodec.encode(new CoordinatorAnnouncement("s3"), "s3")
                        .data())
                .isEqualTo(Map.of("coordinator", "s3"));
        for (ElectionMessage m : List.of(
                new ElectionRequest(),
                new ElectionOk(),
                new CoordinatorAnnouncement("s3"),
                new CoordinatorHeartbeat())) {
            assertThat(roundTrip(CoordinationCodec.encode(m, "s3"))).contains(new Decoded.Election(m));
        }
    }

    @Test
    void statementClockMessagesCarryTimeAsFloatEpochSeconds() {
        Envelope reply = CoordinationCodec.encode(new ClockReply(4, 1_700_000_000_123L));
        assertThat(reply.service()).isEqualTo("clock");
        assertThat(reply.data()).containsEntry("time", 1_700_000_000.123);
        assertThat(CoordinationCodec.encode(new ClockRequest(4)).service()).isEqualTo("clock");
        for (BerkeleyMessage m : List.of(
                new ClockRequest(4),
                new ClockReply(4, 1_700_000_000_123L),
                new TimeRequest(2, 1_700_000_000_000L),
                new TimeReply(2, 1_700_000_000_000L, 1_700_000_000_007L, 5),
                new TimeAdjustment(2, -12, 5))) {
            assertThat(roundTrip(CoordinationCodec.encode(m))).contains(new Decoded.Berkeley(m));
        }
    }

    @Test
    void aForeignClockReplyWithoutRequestIdGetsTheLastRequestId() {
        Envelope foreign = new Envelope("clock", Map.of("time", 1_700_000_000.25, "timestamp", 1.0, "clock", 2L));
        assertThat(CoordinationCodec.decode(foreign, 9, Limits.DEFAULT))
                .contains(new Decoded.Berkeley(new ClockReply(9, 1_700_000_000_250L)));
    }

    @Test
    void membersRoundTripAndBadItemsAreSkipped() {
        List<PeerMember> members =
                List.of(new PeerMember("s1", 1, "tcp://127.0.0.1:7001"), new PeerMember("s2", 2, null));
        assertThat(roundTrip(CoordinationCodec.encodeMembers(members))).contains(new Decoded.Members(members));
        assertThat(CoordinationCodec.decodeMembers(
                        List.of(Map.of("name", "x"), "junk", Map.of("name", "y", "rank", 3L)), Limits.DEFAULT))
                .containsExactly(new PeerMember("y", 3, null));
    }

    @Test
    void unknownServicesAreLeftToOthersAndMalformedKnownOnesAreRejected() {
        assertThat(CoordinationCodec.decode(new Envelope("paxos", Map.of("kind", "prepare")), -1, Limits.DEFAULT))
                .isEmpty();
        assertThatThrownBy(() ->
                        CoordinationCodec.decode(new Envelope("berkeley", Map.of("kind", "poll")), -1, Limits.DEFAULT))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> CoordinationCodec.decode(
                        new Envelope("berkeley", Map.of("kind", "x", "round", 1L)), -1, Limits.DEFAULT))
                .isInstanceOf(ProtocolException.class);
    }
}
