package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The chaos report's rules on a writer's record: what counts as lost, doubled and a gap. */
class ChaosLedgerTest {

    @Test
    void aRecordWhoseHistoryHoldsEveryAckOnceIsClean() {
        ChaosLedger ledger = ChaosLedger.of(
                "writer-1",
                List.of(
                        "{\"ack\":\"writer-1-1\"}",
                        "{\"seq\":1,\"text\":\"writer-1-1\",\"source\":\"LIVE\"}",
                        "{\"unknown\":\"writer-1-2\",\"error\":\"RequestTimeout\"}",
                        "{\"ack\":\"writer-1-3\"}",
                        "{\"seq\":2,\"text\":\"writer-1-3\",\"source\":\"HISTORY\"}",
                        "{\"stopped\":3}",
                        "{\"history\":[\"writer-1-1\",\"writer-1-3\"],\"seqs\":[1,2]}"));

        assertThat(ledger.clean()).isTrue();
        assertThat(ledger.acknowledged()).isEqualTo(2);
        assertThat(ledger.unknown()).isEqualTo(1);
        assertThat(ledger.delivered()).isEqualTo(2);
    }

    @Test
    void anAckMissingFromTheHistoryIsLostAndATextTwiceIsDoubled() {
        ChaosLedger ledger = ChaosLedger.of(
                "writer-1",
                List.of(
                        "{\"ack\":\"writer-1-1\"}",
                        "{\"ack\":\"writer-1-2\"}",
                        "{\"refused\":\"writer-1-3\",\"error\":\"no\"}",
                        "{\"history\":[\"writer-1-1\",\"writer-1-3\",\"writer-1-3\",\"hi\",\"hi\"]}"));

        assertThat(ledger.lost()).containsExactly("writer-1-2");
        assertThat(ledger.doubled())
                .as("an unacknowledged write applied twice is doubled; a bot's repeated text is not checked")
                .containsExactly("writer-1-3");
        assertThat(ledger.clean()).isFalse();
    }

    @Test
    void aSkippedRangeAndASeqJumpAreGapsAndNoHistoryIsNoProof() {
        ChaosLedger ledger = ChaosLedger.of(
                "writer-2",
                List.of(
                        "{\"seq\":1,\"text\":\"a\",\"source\":\"LIVE\"}",
                        "{\"seq\":3,\"text\":\"b\",\"source\":\"LIVE\"}",
                        "{\"seq\":3,\"text\":\"b\",\"source\":\"CORRECTION\"}",
                        "{\"gap_from\":4,\"gap_to\":6}"));

        assertThat(ledger.gaps()).isEqualTo(2);
        assertThat(ledger.historyRead()).isFalse();
        assertThat(ledger.clean()).isFalse();
    }
}
