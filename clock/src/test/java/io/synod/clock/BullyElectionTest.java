package io.synod.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.clock.ElectionMessage.CoordinatorAnnouncement;
import io.synod.clock.ElectionMessage.CoordinatorHeartbeat;
import io.synod.clock.ElectionMessage.ElectionOk;
import io.synod.clock.ElectionMessage.ElectionRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Unit and paper tests of the bully election. Reference: H. Garcia-Molina, "Elections in a
 * Distributed Computing System", IEEE Trans. Computers C-31(1), 1982, section IV-A.
 */
class BullyElectionTest {

    private static final BullyElectionConfig CONFIG = new BullyElectionConfig(2, 6, 3, 5);
    private static final Map<String, Integer> RANKS = Map.of("a", 1, "b", 2, "c", 3, "d", 4);

    private static BullyElection node(String name) {
        BullyElection election = new BullyElection(CONFIG, name, RANKS.get(name));
        election.setMembers(RANKS);
        election.ready();
        return election;
    }

    private static List<String> targetsOf(ElectionReady ready, Class<? extends ElectionMessage> type) {
        return ready.messagesToSend().stream()
                .filter(outbound -> type.isInstance(outbound.message()))
                .map(Outbound::target)
                .toList();
    }

    private static void tick(BullyElection election, int ticks) {
        for (int i = 0; i < ticks; i++) {
            election.tick();
        }
    }

    /** Section IV-A: the highest-priority process wins at once and tells everyone. */
    @Test
    void highestServerWinsImmediatelyAndAnnounces() {
        BullyElection d = node("d");
        d.start();
        ElectionReady ready = d.ready();
        assertThat(d.role()).isEqualTo(BullyElection.Role.COORDINATOR);
        assertThat(d.coordinator()).contains("d");
        assertThat(ready.announcementsToPublish()).containsExactly(new CoordinatorAnnouncement("d"));
        assertThat(targetsOf(ready, CoordinatorHeartbeat.class)).containsExactly("a", "b", "c");
        assertThat(ready.coordinatorChanges())
                .containsExactly(new CoordinatorChange(Optional.empty(), Optional.of("d")));
    }

    /** Section IV-A: an election message goes only to processes of higher priority. */
    @Test
    void electionRequestsGoOnlyToHigherServers() {
        BullyElection b = node("b");
        b.start();
        assertThat(b.role()).isEqualTo(BullyElection.Role.ELECTING);
        assertThat(targetsOf(b.ready(), ElectionRequest.class)).containsExactly("c", "d");
    }

    /** Section IV-A: no answer within the timeout, so the process makes itself coordinator. */
    @Test
    void noAnswerWithinTimeoutMeansVictory() {
        BullyElection b = node("b");
        b.start();
        tick(b, CONFIG.answerTimeoutTicks() - 1);
        assertThat(b.role()).isEqualTo(BullyElection.Role.ELECTING);
        tick(b, 1);
        assertThat(b.role()).isEqualTo(BullyElection.Role.COORDINATOR);
        assertThat(b.ready().announcementsToPublish()).containsExactly(new CoordinatorAnnouncement("b"));
    }

    /** Section IV-A: an answer means a higher process takes over; its announcement settles it. */
    @Test
    void answerThenAnnouncementMakesAFollower() {
        BullyElection b = node("b");
        b.start();
        b.step("c", new ElectionOk());
        assertThat(b.role()).isEqualTo(BullyElection.Role.AWAITING_ANNOUNCEMENT);
        tick(b, CONFIG.answerTimeoutTicks());
        assertThat(b.role()).isEqualTo(BullyElection.Role.AWAITING_ANNOUNCEMENT);
        b.step("c", new CoordinatorAnnouncement("c"));
        assertThat(b.role()).isEqualTo(BullyElection.Role.FOLLOWER);
        assertThat(b.coordinator()).contains("c");
    }

    /** Section IV-A: answered but no announcement within the timeout: start again. */
    @Test
    void answerWithoutAnnouncementRestartsTheElection() {
        BullyElection b = node("b");
        b.start();
        b.step("d", new ElectionOk());
        b.ready();
        tick(b, CONFIG.announcementTimeoutTicks());
        assertThat(b.role()).isEqualTo(BullyElection.Role.ELECTING);
        assertThat(targetsOf(b.ready(), ElectionRequest.class)).containsExactly("c", "d");
        assertThat(b.electionsStartedCount()).isEqualTo(2);
    }

    /** Section IV-A: a process receiving an election message answers and holds its own election. */
    @Test
    void requestFromLowerServerIsAnsweredAndBullied() {
        BullyElection c = node("c");
        c.step("a", new ElectionRequest());
        ElectionReady ready = c.ready();
        assertThat(targetsOf(ready, ElectionOk.class)).containsExactly("a");
        assertThat(targetsOf(ready, ElectionRequest.class)).containsExactly("d");
        assertThat(c.role()).isEqualTo(BullyElection.Role.ELECTING);
    }

    @Test
    void coordinatorAnswersAndReassertsInsteadOfElectingAgain() {
        BullyElection c = node("c");
        c.memberLeft("d");
        c.start();
        c.ready();
        c.step("a", new ElectionRequest());
        ElectionReady ready = c.ready();
        assertThat(targetsOf(ready, ElectionOk.class)).containsExactly("a");
        assertThat(targetsOf(ready, CoordinatorHeartbeat.class)).containsExactly("a");
        assertThat(ready.announcementsToPublish()).containsExactly(new CoordinatorAnnouncement("c"));
        assertThat(c.role()).isEqualTo(BullyElection.Role.COORDINATOR);
    }

    @Test
    void requestFromHigherServerIsIgnored() {
        BullyElection b = node("b");
        b.step("d", new ElectionRequest());
        assertThat(b.ready().isEmpty()).isTrue();
        assertThat(b.ignoredMessageCount()).isEqualTo(1);
    }

    /** The bully step: a lower-ranked server that claims the role is challenged. */
    @Test
    void announcementFromLowerServerStartsAnElection() {
        BullyElection c = node("c");
        c.step("a", new CoordinatorAnnouncement("a"));
        assertThat(c.role()).isEqualTo(BullyElection.Role.ELECTING);
        assertThat(targetsOf(c.ready(), ElectionRequest.class)).containsExactly("d");
    }

    @Test
    void coordinatorSendsHeartbeatsAndFollowersTimeOutWithoutThem() {
        BullyElection d = node("d");
        d.start();
        d.ready();
        tick(d, CONFIG.heartbeatIntervalTicks());
        assertThat(targetsOf(d.ready(), CoordinatorHeartbeat.class)).containsExactly("a", "b", "c");

        BullyElection b = node("b");
        b.step("d", new CoordinatorHeartbeat());
        assertThat(b.coordinator()).contains("d");
        tick(b, CONFIG.coordinatorTimeoutTicks() - 1);
        b.step("d", new CoordinatorHeartbeat());
        tick(b, CONFIG.coordinatorTimeoutTicks() - 1);
        assertThat(b.role()).isEqualTo(BullyElection.Role.FOLLOWER);
        tick(b, 1);
        assertThat(b.role()).isEqualTo(BullyElection.Role.ELECTING);
        assertThat(b.coordinator()).isEmpty();
    }

    @Test
    void coordinatorLeavingStartsAnElection() {
        BullyElection b = node("b");
        b.step("d", new CoordinatorAnnouncement("d"));
        b.ready();
        b.memberLeft("d");
        assertThat(b.role()).isEqualTo(BullyElection.Role.ELECTING);
        assertThat(targetsOf(b.ready(), ElectionRequest.class)).containsExactly("c");
    }

    @Test
    void higherServerJoiningStartsAnElectionLowerDoesNot() {
        BullyElection c = new BullyElection(CONFIG, "c", 3);
        c.setMembers(Map.of("a", 1, "b", 2));
        c.start();
        assertThat(c.role()).isEqualTo(BullyElection.Role.COORDINATOR);
        c.ready();
        c.memberJoined("a0", 0);
        assertThat(c.role()).isEqualTo(BullyElection.Role.COORDINATOR);
        c.memberJoined("d", 4);
        assertThat(c.role()).isEqualTo(BullyElection.Role.ELECTING);
        assertThat(targetsOf(c.ready(), ElectionRequest.class)).containsExactly("d");
    }

    @Test
    void messagesFromUnknownServersOrSelfAreIgnored() {
        BullyElection b = node("b");
        b.step("zz", new CoordinatorAnnouncement("zz"));
        b.step("b", new CoordinatorAnnouncement("b"));
        b.step("c", new CoordinatorAnnouncement("zz"));
        assertThat(b.coordinator()).isEmpty();
        assertThat(b.ignoredMessageCount()).isEqualTo(3);
    }

    @Test
    void equalRanksAreOrderedByName() {
        assertThat(BullyElection.outranks("b", 5, "a", 5)).isTrue();
        assertThat(BullyElection.outranks("a", 5, "b", 5)).isFalse();
        assertThat(BullyElection.outranks("a", 6, "b", 5)).isTrue();
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> new BullyElectionConfig(0, 5, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BullyElectionConfig(2, 4, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BullyElectionConfig(2, 5, 3, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Section IV-A, assertion 1 of the paper's correctness argument: all processes agree. */
    @Test
    void allServersAgreeOnTheHighestAfterAnElectionStartedByTheLowest() {
        ElectionHarness harness = new ElectionHarness(CONFIG, RANKS);
        harness.start("a");
        harness.runTicks(30);
        for (String name : RANKS.keySet()) {
            assertThat(harness.node(name).coordinator()).as(name).contains("d");
        }
        harness.crash("d");
        harness.runTicks(CONFIG.coordinatorTimeoutTicks() + 30);
        for (String name : List.of("a", "b", "c")) {
            assertThat(harness.node(name).coordinator()).as(name).contains("c");
        }
        assertThat(harness.node("c").role()).isEqualTo(BullyElection.Role.COORDINATOR);
    }
}
