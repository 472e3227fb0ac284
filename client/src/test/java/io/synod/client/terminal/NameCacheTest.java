package io.synod.client.terminal;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.protocol.Publication;
import java.util.List;
import org.junit.jupiter.api.Test;

class NameCacheTest {
    private final NameCache names = new NameCache();

    @Test
    void completesCommandsThenChannelsOrUsersByCommand() {
        names.setUsers(List.of("bob", "ana"));
        names.setChannels(List.of("general", "dev"));
        names.addChannel("art");

        assertThat(names.complete("", 0)).contains("/join", "/msg", "/quit");
        assertThat(names.complete("/join", 1)).containsExactly("art", "dev", "general");
        assertThat(names.complete("/history", 1)).containsExactly("art", "dev", "general");
        assertThat(names.complete("/msg", 1)).containsExactly("ana", "bob");
        assertThat(names.complete("/dm", 1)).containsExactly("ana", "bob");
        assertThat(names.complete("/msg", 2)).isEmpty();
        assertThat(names.complete("/users", 1)).isEmpty();
    }

    @Test
    void formatsPostsAndPrivateMessagesOnOneLine() {
        String post = TerminalSession.format(
                new Publication.ChannelPost("general", "ana", "hi all", 1_700_000_000.0, 1, 1, "m1", 1));
        String dm = TerminalSession.format(new Publication.DirectMessage("bob", "ana", "psst", 0, 1, 1, "d1", 1, 1));
        assertThat(post).matches("\\d\\d:\\d\\d:\\d\\d #general <ana> hi all");
        assertThat(dm).isEqualTo("--:--:-- [dm] bob -> ana: psst");
    }
}
