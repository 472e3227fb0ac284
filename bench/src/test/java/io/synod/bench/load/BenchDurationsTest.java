package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchDurationsTest {
    @Test
    void acceptsMillisecondsSecondsMinutesAndHours() {
        assertThat(BenchDurations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(BenchDurations.parse("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(BenchDurations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(BenchDurations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(BenchDurations.parse("1.5s")).isEqualTo(Duration.ofMillis(1_500));
        assertThat(BenchDurations.parse(" 2S ")).isEqualTo(Duration.ofSeconds(2));
        assertThat(BenchDurations.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void aBareNumberIsSeconds() {
        assertThat(BenchDurations.parse("3")).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void rejectsWhatIsNotADuration() {
        for (String bad : new String[] {"", "abc", "-1s", "10 sec", "1d", "s", "1.s", "25h"}) {
            assertThatThrownBy(() -> BenchDurations.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad.isEmpty() ? "duration" : bad);
        }
    }

    @Test
    void formatsShortly() {
        assertThat(BenchDurations.format(Duration.ofMillis(500))).isEqualTo("500ms");
        assertThat(BenchDurations.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(BenchDurations.format(Duration.ofMillis(1_500))).isEqualTo("1.5s");
    }
}
