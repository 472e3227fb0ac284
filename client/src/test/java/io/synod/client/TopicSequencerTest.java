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
    void aGapHistoryCannotFillIsRetriedThenSkipped() {
        sequencer.onLive(post(1));
        sequencer.onLive(post(3));
        TopicSequencer.Step first = sequencer.onHistory(List.of(), false);
        assertThat(first.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.LATER, 1));
        TopicSequencer.Step second = sequencer.onFetchFailed();
        assertThat(second.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.LATER);
        TopicSequencer.Step third = sequencer.onHistory(List.of(), false);
        assertThat(third.skippedGaps()).containsExactly(new TopicSequencer.Gap(2, 2));
        assertThat(seqs(third)).containsExactly(3L);
        assertThat(third.fetch().kind()).isEqualTo(TopicSequencer.Fetch.Kind.NONE);
    }

    @Test
    void overflowDroppedAtTheTailIsSkippedIfHistoryNeverHasIt() {
        TopicSequencer tiny = new TopicSequencer("general", 1, 2, 1);
        tiny.onLive(post(1));
        tiny.onLive(post(3));
        tiny.onLive(post(4));
        TopicSequencer.Step step = tiny.onHistory(List.of(), false);
        assertThat(step.skippedGaps()).containsExactly(new TopicSequencer.Gap(2, 2));
        assertThat(step.deliveries()).extracting(Delivery::seq).containsExactly(3L);
        assertThat(step.fetch()).isEqualTo(new TopicSequencer.Fetch(TopicSequencer.Fetch.Kind.NOW, 3));
        TopicSequencer.Step last = tiny.onHistory(List.of(), false);
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
}
