package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriptionFilterTest {
    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] message(int kind, String topic) {
        byte[] body = utf8(topic);
        byte[] message = new byte[1 + body.length];
        message[0] = (byte) kind;
        System.arraycopy(body, 0, message, 1, body.length);
        return message;
    }

    private static List<String> matches(SubscriptionFilter<String> subscriptions, String first) {
        List<String> matched = new ArrayList<>();
        subscriptions.forEachMatch(utf8(first), matched::add);
        return matched;
    }

    @Test
    void aTopicMatchesTheMessagesItPrefixesUntilItsLastSubscriptionIsCancelled() {
        SubscriptionFilter<String> subscriptions = new SubscriptionFilter<>();
        assertThat(subscriptions.matchesAny(utf8("geral"))).isFalse();
        assertThat(subscriptions.apply("a", message(1, "ger")))
                .as("first subscription: passed upstream")
                .isNotNull();
        assertThat(subscriptions.apply("a", message(1, "ger")))
                .as("second: nothing changes upstream")
                .isNull();
        assertThat(subscriptions.matchesAny(utf8("geral"))).isTrue();
        assertThat(subscriptions.matchesAny(utf8("ge")))
                .as("shorter than the topic")
                .isFalse();
        assertThat(subscriptions.matchesAny(utf8("outro"))).isFalse();
        assertThat(subscriptions.apply("a", message(0, "ger"))).isNull();
        assertThat(subscriptions.matchesAny(utf8("geral")))
                .as("subscribed twice, cancelled once")
                .isTrue();
        assertThat(subscriptions.apply("a", message(0, "ger")))
                .as("the last one: cancelled upstream")
                .isNotNull();
        assertThat(subscriptions.matchesAny(utf8("geral"))).isFalse();
        assertThat(subscriptions.apply("a", message(0, "ger")))
                .as("nothing left to cancel")
                .isNull();
        subscriptions.apply("a", message(1, "ger"));
        assertThat(subscriptions.matchesAny(utf8("geral"))).isTrue();
    }

    @Test
    void theEmptyTopicMatchesEverythingAndOtherMessagesAreIgnored() {
        SubscriptionFilter<String> subscriptions = new SubscriptionFilter<>();
        assertThat(subscriptions.apply("a", new byte[] {7, 'x'})).isNull();
        assertThat(subscriptions.apply("a", new byte[0])).isNull();
        assertThat(subscriptions.matchesAny(utf8("x"))).isFalse();
        subscriptions.apply("a", message(1, ""));
        assertThat(subscriptions.matchesAny(utf8("anything"))).isTrue();
        assertThat(subscriptions.matchesAny(new byte[0])).isTrue();
        assertThat(subscriptions.removeAll("a")).hasSize(1);
        assertThat(subscriptions.matchesAny(utf8("anything"))).isFalse();
    }

    @Test
    void eachSubscriberMatchesOnceAndLeavingCancelsOnlyTopicsNobodyElseHolds() {
        SubscriptionFilter<String> subscriptions = new SubscriptionFilter<>();
        subscriptions.apply("a", message(1, "ge"));
        subscriptions.apply("a", message(1, "geral"));
        subscriptions.apply("b", message(1, "geral"));
        subscriptions.apply("c", message(1, "outro"));
        assertThat(matches(subscriptions, "geral!"))
                .as("a holds two matching topics, matched once")
                .containsExactlyInAnyOrder("a", "b");
        assertThat(subscriptions.topics()).extracting(String::new).containsExactlyInAnyOrder("ge", "geral", "outro");
        assertThat(subscriptions.removeAll("a")).extracting(String::new).containsExactly("ge");
        assertThat(matches(subscriptions, "geral!")).containsExactly("b");
        assertThat(subscriptions.removeAll("nobody")).isEmpty();
        assertThat(subscriptions.removeAll("b")).extracting(String::new).containsExactly("geral");
        assertThat(matches(subscriptions, "geral!")).isEmpty();
    }

    @Test
    void oneMatchingTopicCallsEachOfItsSubscribersOnceWhateverTheirSubscriptionCount() {
        SubscriptionFilter<String> subscriptions = new SubscriptionFilter<>();
        subscriptions.apply("a", message(1, "geral"));
        subscriptions.apply("a", message(1, "geral"));
        subscriptions.apply("b", message(1, "geral"));
        subscriptions.apply("c", message(1, "outro"));
        subscriptions.apply("d", message(1, "geralzao"));
        assertThat(matches(subscriptions, "geral")).containsExactlyInAnyOrder("a", "b");
        assertThat(matches(subscriptions, "geralzao!"))
                .as("two matching topics: the shared subscribers once each")
                .containsExactlyInAnyOrder("a", "b", "d");
        assertThat(matches(subscriptions, "gera")).isEmpty();
    }
}
