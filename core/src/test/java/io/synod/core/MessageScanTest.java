package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Publication;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** The scan a search index is rebuilt from ({@link SocialReads#messages()}). */
class MessageScanTest {
    private final ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
    private long index;

    private Result apply(ChatCommand operation) {
        index++;
        Result result = machine.apply(Command.of(index, 1_700_000_000.0 + index, 100 + index, operation));
        assertThat(result.isOk()).as(result.errorText()).isTrue();
        return result;
    }

    private static List<Publication> drain(Iterator<Publication> messages) {
        List<Publication> all = new ArrayList<>();
        messages.forEachRemaining(all::add);
        return all;
    }

    @Test
    void findsEveryChannelMessagePrivateMessageAndPostOnceAsPublished() {
        List<Publication> written = new ArrayList<>();
        for (String user : List.of("ana", "bob", "carla")) {
            apply(new ChatCommand.Login(user));
        }
        apply(new ChatCommand.CreateChannel("geral"));
        written.add(apply(new ChatCommand.Publish("ana", "geral", "oi, geral"))
                .publications()
                .get(0));
        written.add(apply(new ChatCommand.SendMessage("ana", "carla", "só para ti"))
                .publications()
                .get(0));
        written.add(apply(new ChatCommand.SendMessage("carla", "ana", "obrigada"))
                .publications()
                .get(0));
        written.add(
                apply(new ChatCommand.Post("bob", "ação!", "")).publications().get(0));
        apply(new ChatCommand.Follow("bob", "ana"));

        List<Publication> scanned = drain(machine.social().messages());

        assertThat(scanned)
                .as("each message once (a private message is in its recipient's inbox too), as it was published")
                .containsExactlyInAnyOrderElementsOf(written);
    }

    @Test
    void readsPageAfterPageAcrossEveryRange() {
        apply(new ChatCommand.Login("ana"));
        apply(new ChatCommand.Login("bob"));
        apply(new ChatCommand.CreateChannel("geral"));
        int each = MessageScan.SCAN_PAGE_ENTRIES + 3;
        for (int i = 0; i < each; i++) {
            apply(new ChatCommand.Publish("ana", "geral", "m" + i));
            apply(new ChatCommand.SendMessage("ana", "bob", "p" + i));
            apply(new ChatCommand.Post("bob", "post " + i, ""));
        }

        Iterator<Publication> scan = machine.social().messages();
        List<Publication> scanned = drain(scan);

        assertThat(scanned).hasSize(3 * each);
        assertThat(scanned.stream().map(MessageScanTest::indexOf).distinct().count())
                .isEqualTo(3L * each);
        assertThat(scanned.subList(0, each)).allMatch(p -> p instanceof Publication.ChannelPost);
        assertThat(scanned.subList(each, 2 * each)).allMatch(p -> p instanceof Publication.DirectMessage);
        assertThat(scanned.subList(2 * each, 3 * each)).allMatch(p -> p instanceof Publication.SocialPost);
        assertThat(scan.hasNext()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(scan::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void anEmptyStateHasNoMessages() {
        apply(new ChatCommand.Login("ana"));
        assertThat(machine.social().messages().hasNext()).isFalse();
    }

    private static long indexOf(Publication p) {
        return switch (p) {
            case Publication.ChannelPost c -> c.index();
            case Publication.DirectMessage d -> d.index();
            case Publication.SocialPost s -> s.index();
            default -> throw new AssertionError("not a message: " + p);
        };
    }
}
