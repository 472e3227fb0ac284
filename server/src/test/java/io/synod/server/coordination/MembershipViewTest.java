package io.synod.server.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.messaging.peer.CoordinationCodec.PeerMember;
import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipViewTest {
    private static final PeerMember S1 = new PeerMember("s1", 1, "tcp://127.0.0.1:7001");
    private static final PeerMember S2 = new PeerMember("s2", 2, "tcp://127.0.0.1:7002");
    private static final PeerMember S3 = new PeerMember("s3", 3, "tcp://127.0.0.1:7003");

    @Test
    void aFreshReferenceListIsTheMembershipAndPeersAddNothing() {
        MembershipView m = new MembershipView("s1", 3_000, 10_000);
        m.setSelf(1, S1.address());
        m.referenceList(List.of(S1, S2), 0);
        m.gossip(List.of(S3), 0);
        assertThat(m.referenceFresh(3_000)).isTrue();
        assertThat(m.members(3_000)).containsOnlyKeys("s1", "s2");
    }

    @Test
    void whileTheReferenceIsSilentTheLastListIsKeptAndPeersAddMembersUntilTheyAge() {
        MembershipView m = new MembershipView("s1", 3_000, 10_000);
        m.setSelf(1, S1.address());
        m.referenceList(List.of(S1, S2), 0);
        m.gossip(List.of(S3), 1_000);
        assertThat(m.referenceFresh(3_001)).isFalse();
        assertThat(m.members(3_001)).containsOnlyKeys("s1", "s2", "s3");
        assertThat(m.members(11_001)).containsOnlyKeys("s1", "s2");
    }

    @Test
    void thisServerIsAMemberOnlyOnceItsRankIsKnownAndMayLearnItFromPeers() {
        MembershipView m = new MembershipView("s3", 3_000, 10_000);
        m.gossip(List.of(S2, S3), 0);
        assertThat(m.members(0)).containsOnlyKeys("s2");
        assertThat(m.rankOf("s3", 0)).isEqualTo(3);
        m.setSelf(3, "tcp://127.0.0.1:9999");
        assertThat(m.members(0).get("s3").address()).isEqualTo("tcp://127.0.0.1:9999");
    }

    @Test
    void theConfigRejectsInconsistentLimitsAndShortensTheReplyTimeoutForFastRounds() {
        CoordinationConfig config = CoordinationConfig.defaults(
                        "s1", "tcp://127.0.0.1:0", "tcp://127.0.0.1:5559", "tcp://127.0.0.1:5557")
                .withClockSyncIntervalMillis(200);
        assertThat(config.berkeley().roundIntervalTicks()).isEqualTo(20);
        assertThat(config.berkeley().replyTimeoutTicks()).isEqualTo(10);
        assertThatThrownBy(() -> config.withClockSyncIntervalMillis(10)).isInstanceOf(IllegalArgumentException.class);
    }
}
