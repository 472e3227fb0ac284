package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SubscriptionsTest {
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

    @Test
    void aTopicMatchesTheMessagesItPrefixesUntilItsLastSubscriptionIsCancelled() {
        Subscriptions subscriptions = new Subscriptions();
        assertThat(subscriptions.matchesAny(utf8("geral"))).isFalse();
        subscriptions.apply(message(1, "ger"));
        subscriptions.apply(message(1, "ger"));
        assertThat(subscriptions.matchesAny(utf8("geral"))).isTrue();
        assertThat(subscriptions.matchesAny(utf8("ge"))).as("shorter than the topic").isFalse();
        assertThat(subscriptions.matchesAny(utf8("outro"))).isFalse();
        subscriptions.apply(message(0, "ger"));
        assertThat(subscriptions.matchesAny(utf8("geral"))).as("subscribed twice, cancelled once").isTrue();
        subscriptions.apply(message(0, "ger"));
        assertThat(subscriptions.matchesAny(utf8("geral"))).isFalse();
        subscriptions.apply(message(0, "ger")); // nothing left to cancel
        subscriptions.apply(message(1, "ger"));
        assertThat(subscriptions.matchesAny(utf8("geral"))).isTrue();
    }

    @Test
    void theEmptyTopicMatchesEverythingAndOtherMessagesAreIgnored() {
        Subscriptions subscriptions = new Subscriptions();
        subscriptions.apply(new byte[] {7, 'x'});
        subscriptions.apply(new byte[0]);
        assertThat(subscriptions.matchesAny(utf8("x"))).isFalse();
        subscriptions.apply(message(1, ""));
        assertThat(subscriptions.matchesAny(utf8("anything"))).isTrue();
        assertThat(subscriptions.matchesAny(new byte[0])).isTrue();
        subscriptions.clear();
        assertThat(subscriptions.matchesAny(utf8("anything"))).isFalse();
    }
}
