package io.synod.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SocialMixTest {
    @Test
    void theDefaultParsesFromItsOwnLabel() {
        assertThat(SocialMix.parse(SocialMix.DEFAULT.label())).isEqualTo(SocialMix.DEFAULT);
        assertThat(SocialMix.DEFAULT.total()).isEqualTo(100);
    }

    @Test
    void operationsLeftOutWeighNothing() {
        SocialMix mix = SocialMix.parse(" post = 3 , feed=1");
        assertThat(mix).isEqualTo(new SocialMix(3, 0, 1, 0, 0));
    }

    @Test
    void everyDrawFallsOnTheOperationsInProportionToTheirWeights() {
        SocialMix mix = new SocialMix(2, 0, 3, 1, 4);
        Map<SocialMix.Operation, Integer> counts = new EnumMap<>(SocialMix.Operation.class);
        for (int draw = 0; draw < mix.total(); draw++) {
            counts.merge(mix.pick(draw), 1, Integer::sum);
        }
        assertThat(counts)
                .containsEntry(SocialMix.Operation.POST, 2)
                .containsEntry(SocialMix.Operation.FEED, 3)
                .containsEntry(SocialMix.Operation.TIMELINE, 1)
                .containsEntry(SocialMix.Operation.NOTIFICATIONS, 4)
                .doesNotContainKey(SocialMix.Operation.FOLLOW);
        assertThatThrownBy(() -> mix.pick(mix.total())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badMixesAreRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> SocialMix.parse("post=x")).hasMessageContaining("'x' is not a whole number");
        assertThatThrownBy(() -> SocialMix.parse("like=3")).hasMessageContaining("'like=3' is not a weight");
        assertThatThrownBy(() -> SocialMix.parse("post=0")).hasMessageContaining("at least one weight");
        assertThatThrownBy(() -> SocialMix.parse("post=-1")).hasMessageContaining("between 0 and 1000");
        assertThatThrownBy(() -> SocialMix.parse("")).hasMessageContaining("is not a weight");
    }
}
