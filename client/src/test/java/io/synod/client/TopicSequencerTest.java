package io.synod.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Publication;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicSequencerTest {
    private final TopicSequencer sequencer = new TopicSequencer("general", 4, 2, 3);

    private static Publication post(long seq) {
        return new Publication.ChannelPost("general", "bob", "m" + seq, 1.0, seq, seq, "id" + seq, seq);
    }

    private static List<Long> seqs(TopicSequencer.Step step) {
        return step.deliveries().stream().map(Delivery::seq).toList();
    }

    @Test
    void inOrderDeliveriesPassAndDuplicatesAreDropped() {
        assertThat(seqs(sequencer.onLive(post(5)))).containsExactly(5L);
        assertThat(seqs(sequencer.onLive(post(6)))).containsExactly(6L);
        assertThat(seqs(sequencer.onLive(post(6)))).isEmpty();
        assertThat(seqs(sequencer.onLive(post(2)))).isEmpty();
        assertThat(sequencer.lastDeliveredSeq()).isEqualTo(6);
    }

    @Test
    void aGapAsksForHistoryAndBuffersUntilItArrives() {
        sequencer.onLive(post(1));
        TopicSequencer.Step gap = sequencer.onLive(post(3));
        assertThat(seqs(gap)).isEmpty();
        assertThat(gap.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.NOW, 1));
        assertThat(seqs(sequencer.onLive(post(4)))).isEmpty();

        TopicSequencer.Step filled = sequencer.onHistory(List.of(post(3), post(2)), false);
        assertThat(seqs(filled)).containsExactly(2L, 3L, 4L);
        assertThat(filled.deliveries().get(0).source()).isEqualTo(Delivery.Source.HISTORY);
        assertThat(filled.deliveries().get(2).source()).isEqualTo(Delivery.Source.LIVE);
        assertThat(filled.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
        assertThat(sequencer.bufferedCount()).isZero();
    }

    @Test
    void aGapTheHistoryCannotBeAskedAboutIsRetriedThenSkipped() {
        sequencer.onLive(post(1));
        sequencer.onLive(post(3));
        TopicSequencer.Step first = sequencer.onHistory(List.of(), false);
        assertThat(first.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.LATER, 1));
        TopicSequencer.Step second = sequencer.onFetchFailed();
        assertThat(second.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.LATER);
        TopicSequencer.Step third = sequencer.onFetchFailed(); // e.g. a foreign server without history
        assertThat(third.skippedGaps()).containsExactly(new TopicSequencer.Gap(2, 2));
        assertThat(seqs(third)).containsExactly(3L);
        assertThat(third.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
    }

    /**
     * Issue 19: a forged delivery with a seq far beyond the real ones. Skipping the gap to it would drop every
     * real delivery below it as a repeat; the history, which ends before it, shows it is not the servers'.
     */
    @Test
    void aLiveSeqBeyondTheHistorysEndIsDroppedNotSkippedTo() {
        sequencer.onLive(post(1));
        assertThat(sequencer.onLive(post(1_000_000_000)).fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NOW);
        sequencer.onHistory(List.of(), false);
        sequencer.onHistory(List.of(), false);
        TopicSequencer.Step last = sequencer.onHistory(List.of(), false);
        assertThat(last.skippedGaps()).isEmpty();
        assertThat(seqs(last)).isEmpty();
        assertThat(last.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
        assertThat(sequencer.unconfirmedDropped()).isEqualTo(1);
        assertThat(sequencer.lastDeliveredSeq()).isEqualTo(1);
        assertThat(seqs(sequencer.onLive(post(2)))).containsExactly(2L);
        assertThat(seqs(sequencer.onLive(post(3)))).containsExactly(3L);
    }

    /** A real publication the answering server did not have yet is fetched again once the next one shows the gap. */
    @Test
    void aRealPublicationDroppedAsUnconfirmedComesBackFromHistoryLater() {
        sequencer.onLive(post(1));
        sequencer.onLive(post(2 + 1)); // 2 lost in transit; the answering server has not applied 2 or 3 yet
        sequencer.onHistory(List.of(), false);
        sequencer.onHistory(List.of(), false);
        sequencer.onHistory(List.of(), false);
        assertThat(sequencer.unconfirmedDropped()).isEqualTo(1);
        TopicSequencer.Step next = sequencer.onLive(post(4));
        assertThat(next.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.NOW, 1));
        assertThat(seqs(sequencer.onHistory(List.of(post(2), post(3), post(4)), false)))
                .containsExactly(2L, 3L, 4L);
    }

    @Test
    void overflowDroppedAtTheTailIsSkippedIfHistoryCannotBeHad() {
        TopicSequencer tiny = new TopicSequencer("general", 1, 2, 1);
        tiny.onLive(post(1));
        tiny.onLive(post(3));
        tiny.onLive(post(4));
        TopicSequencer.Step step = tiny.onFetchFailed();
        assertThat(step.skippedGaps()).containsExactly(new TopicSequencer.Gap(2, 2));
        assertThat(step.deliveries()).extracting(Delivery::seq).containsExactly(3L);
        assertThat(step.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.NOW, 3));
        TopicSequencer.Step last = tiny.onFetchFailed();
        assertThat(last.skippedGaps()).containsExactly(new TopicSequencer.Gap(4, 4));
        assertThat(last.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
    }

    @Test
    void theBufferIsBoundedAndTheOverflowIsFetchedLater() {
        sequencer.onLive(post(1));
        for (long seq = 3; seq <= 10; seq++) {
            sequencer.onLive(post(seq));
        }
        assertThat(sequencer.bufferedCount()).isEqualTo(4);
        TopicSequencer.Step page = sequencer.onHistory(List.of(post(2)), false);
        assertThat(seqs(page)).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(page.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.NOW, 6));
        TopicSequencer.Step rest = sequencer.onHistory(List.of(post(7), post(8), post(9), post(10)), false);
        assertThat(seqs(rest)).containsExactly(7L, 8L, 9L, 10L);
    }

    @Test
    void aJoinReplayDeliversOnlyTheMostRecentItemsThenTheBuffered() {
        TopicSequencer.Step start = sequencer.startJoinReplay();
        assertThat(start.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.NOW, 0));
        assertThat(seqs(sequencer.onLive(post(6)))).isEmpty();
        TopicSequencer.Step page1 = sequencer.onHistory(List.of(post(1), post(2), post(3)), true);
        assertThat(seqs(page1)).isEmpty();
        assertThat(page1.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.NOW, 3));
        TopicSequencer.Step page2 = sequencer.onHistory(List.of(post(4), post(5)), false);
        assertThat(seqs(page2)).containsExactly(4L, 5L, 6L);
    }

    @Test
    void holesInAJoinReplayAreNotReported() {
        sequencer.startJoinReplay();
        TopicSequencer.Step page = sequencer.onHistory(List.of(post(2), post(5), post(6)), false);
        assertThat(page.skippedGaps()).isEmpty();
        assertThat(seqs(page)).containsExactly(5L, 6L);
    }

    @Test
    void resumingFromASeqDeliversEverythingAfterIt() {
        TopicSequencer.Step start = sequencer.startFrom(3);
        assertThat(start.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.NOW, 3));
        assertThat(seqs(sequencer.onHistory(List.of(post(3), post(4), post(5), post(6)), false)))
                .containsExactly(4L, 5L, 6L);
    }

    @Test
    void aFailedJoinStartsFromWhatArrivesLive() {
        sequencer.startJoinReplay();
        sequencer.onLive(post(8));
        TopicSequencer.Step failed = sequencer.onFetchFailed();
        assertThat(seqs(failed)).containsExactly(8L);
        assertThat(seqs(sequencer.onLive(post(9)))).containsExactly(9L);
    }

    @Test
    void publicationsWithoutSeqAreDeliveredAsTheyCome() {
        assertThat(seqs(sequencer.onLive(post(0)))).containsExactly(0L);
        assertThat(seqs(sequencer.onLive(post(0)))).containsExactly(0L);
    }

    private static Publication forged(long seq) {
        return new Publication.ChannelPost("general", "mallory", "forged " + seq, 1.0, seq, seq, "id" + seq, seq);
    }

    private static TopicSequencer.Fetch now(long afterSeq) {
        return new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.NOW, afterSeq);
    }

    @Test
    void aForgedCopyDeliveredFirstIsCorrectedByTheHistorysCopy() {
        sequencer.onLive(post(1));
        assertThat(seqs(sequencer.onLive(forged(2)))).containsExactly(2L);
        sequencer.onLive(post(3));
        TopicSequencer.Step real = sequencer.onLive(post(2));
        assertThat(real.deliveries()).isEmpty();
        assertThat(real.fetch()).as("the history settles seq 2").isEqualTo(now(1));
        assertThat(sequencer.fetchAfterSeq()).isEqualTo(1);

        TopicSequencer.Step settled = sequencer.onHistory(List.of(post(2), post(3)), false);
        assertThat(settled.deliveries()).containsExactly(new Delivery(post(2), Delivery.Source.CORRECTION));
        assertThat(settled.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
        assertThat(sequencer.disputedCount()).isZero();
        assertThat(sequencer.lastDeliveredSeq()).isEqualTo(3);
        // the forged copy again: the history's copy is kept, nothing is asked
        assertThat(sequencer.onLive(forged(2))).isEqualTo(TopicSequencer.Step.NOTHING);
        assertThat(sequencer.onLive(post(2))).isEqualTo(TopicSequencer.Step.NOTHING);
    }

    @Test
    void aForgedCopyArrivingAfterTheRealOneIsDroppedOnceTheHistoryConfirms() {
        sequencer.onLive(post(1));
        sequencer.onLive(post(2));
        TopicSequencer.Step forgedOne = sequencer.onLive(forged(2));
        assertThat(forgedOne.deliveries()).isEmpty();
        assertThat(forgedOne.fetch()).isEqualTo(now(1));
        assertThat(sequencer.onLive(forged(2))).as("one check at a time").isEqualTo(TopicSequencer.Step.NOTHING);
        TopicSequencer.Step confirmed = sequencer.onHistory(List.of(post(2)), false);
        assertThat(confirmed.deliveries()).isEmpty();
        assertThat(confirmed.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
        assertThat(sequencer.onLive(forged(2))).isEqualTo(TopicSequencer.Step.NOTHING);
        assertThat(seqs(sequencer.onLive(post(3)))).containsExactly(3L);
    }

    @Test
    void identicalRepeatsAreDroppedWithoutAskingTheHistory() {
        sequencer.onLive(post(1));
        sequencer.onLive(post(2));
        assertThat(sequencer.onLive(post(2))).isEqualTo(TopicSequencer.Step.NOTHING);
        assertThat(sequencer.onLive(post(1))).isEqualTo(TopicSequencer.Step.NOTHING);
        assertThat(sequencer.disputedCount()).isZero();
    }

    @Test
    void twoDifferentCopiesOfASeqNotYetDeliveredAreTakenFromTheHistoryOnly() {
        sequencer.onLive(post(1));
        TopicSequencer.Step gap = sequencer.onLive(forged(3)); // ahead: buffered, 2 is missing
        assertThat(gap.fetch()).isEqualTo(now(1));
        assertThat(sequencer.onLive(post(3)).deliveries()).isEmpty();
        assertThat(sequencer.bufferedCount()).as("neither copy of 3 is kept").isZero();
        assertThat(sequencer.onLive(forged(3))).isEqualTo(TopicSequencer.Step.NOTHING);
        TopicSequencer.Step filled = sequencer.onHistory(List.of(post(2), post(3)), false);
        assertThat(filled.deliveries())
                .containsExactly(
                        new Delivery(post(2), Delivery.Source.HISTORY), new Delivery(post(3), Delivery.Source.HISTORY));
        assertThat(sequencer.disputedCount()).isZero();
        assertThat(filled.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
    }

    @Test
    void aDisputeTheHistoryCannotSettleKeepsWhatWasShownAfterTheAttempts() {
        sequencer.onLive(post(1));
        sequencer.onLive(forged(2));
        assertThat(sequencer.onLive(post(2)).fetch()).isEqualTo(now(1));
        TopicSequencer.Step first = sequencer.onHistory(List.of(), false); // a server that lags
        assertThat(first.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.LATER, 1));
        assertThat(sequencer.onFetchFailed().fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.LATER);
        TopicSequencer.Step givenUp = sequencer.onHistory(List.of(), false);
        assertThat(givenUp.deliveries()).isEmpty();
        assertThat(givenUp.skippedGaps()).isEmpty();
        assertThat(givenUp.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
        assertThat(sequencer.disputedCount()).isZero();
        assertThat(seqs(sequencer.onLive(post(3)))).containsExactly(3L);
    }

    @Test
    void aDisputeRaisedDuringAGapFetchIsCheckedWhenItEnds() {
        sequencer.onLive(post(1));
        sequencer.onLive(forged(2));
        assertThat(sequencer.onLive(post(4)).fetch()).isEqualTo(now(2)); // 3 is missing
        assertThat(sequencer.onLive(post(2))).as("checked after the gap fetch").isEqualTo(TopicSequencer.Step.NOTHING);
        TopicSequencer.Step gapFilled = sequencer.onHistory(List.of(post(3), post(4)), false);
        assertThat(seqs(gapFilled)).containsExactly(3L, 4L);
        assertThat(gapFilled.fetch()).isEqualTo(now(1));
        TopicSequencer.Step settled = sequencer.onHistory(List.of(post(2), post(3), post(4)), false);
        assertThat(settled.deliveries()).containsExactly(new Delivery(post(2), Delivery.Source.CORRECTION));
        assertThat(settled.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
    }

    @Test
    void disputesAreBoundedAndTheComparedWindowTooIsBounded() {
        TopicSequencer wide = new TopicSequencer("general", 10_000, 2, 3);
        long count = TopicSequencer.REMEMBERED_MAX + 10;
        for (long seq = 1; seq <= count; seq++) {
            wide.onLive(post(seq));
        }
        assertThat(wide.onLive(forged(1))).as("too old to compare: dropped").isEqualTo(TopicSequencer.Step.NOTHING);
        assertThat(wide.disputedCount()).isZero();
        TopicSequencer.Step check = wide.onLive(forged(count));
        assertThat(check.fetch()).isEqualTo(now(count - 1));
        for (long seq = count - TopicSequencer.DISPUTED_MAX - 10; seq < count; seq++) {
            wide.onLive(forged(seq)); // during the check: only marked
        }
        assertThat(wide.disputedCount()).isEqualTo(TopicSequencer.DISPUTED_MAX);
    }
}
