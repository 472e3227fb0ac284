package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchSeqCheckerTest {
    @Test
    void anInOrderStreamFromAnyBaselineHasNoGapsOrDuplicates() {
        SeqChecker checker = new SeqChecker();
        for (long seq = 41; seq <= 50; seq++) {
            checker.onDelivery(seq);
        }
        assertThat(checker.deliveries()).isEqualTo(10);
        assertThat(checker.gaps()).isZero();
        assertThat(checker.duplicates()).isZero();
        assertThat(checker.outOfOrder()).isZero();
        assertThat(checker.highest()).isEqualTo(50);
    }

    @Test
    void missingNumbersAreGapsAndRepeatsAreDuplicates() {
        SeqChecker checker = new SeqChecker();
        for (long seq : new long[] {1, 2, 5, 5, 6, 9}) {
            checker.onDelivery(seq);
        }
        assertThat(checker.gaps()).isEqualTo(4); // 3, 4, 7, 8
        assertThat(checker.duplicates()).isEqualTo(1);
        assertThat(checker.deliveries()).isEqualTo(6);
    }

    @Test
    void aLateNumberFillsItsGapAndCountsAsOutOfOrder() {
        SeqChecker checker = new SeqChecker();
        for (long seq : new long[] {10, 12, 11, 11, 9}) {
            checker.onDelivery(seq);
        }
        assertThat(checker.gaps()).isZero();
        assertThat(checker.outOfOrder()).isEqualTo(2); // 11 after 12, 9 below the baseline
        assertThat(checker.duplicates()).isEqualTo(1);
    }

    @Test
    void publicationsWithoutSeqAreOnlyCounted() {
        SeqChecker checker = new SeqChecker();
        checker.onDelivery(0);
        checker.onDelivery(0);
        assertThat(checker.deliveries()).isEqualTo(2);
        assertThat(checker.gaps()).isZero();
        assertThat(checker.duplicates()).isZero();
    }
}
