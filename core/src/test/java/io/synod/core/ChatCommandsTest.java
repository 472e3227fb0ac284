package io.synod.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.protocol.MsgPack;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatCommandsTest {

    @Test
    void everyCommandRoundTrips() {
        List<Command> commands = List.of(
                Command.of(1, 1_700_000_000.25, 3, new ChatCommand.Login("ana")),
                new Command(2, 0.0, 0, "client-1", 9, new ChatCommand.CreateChannel("geral")),
                new Command(3, 1.5, 7, "c", 1, new ChatCommand.Publish("ana", "geral", "olá, mundo 🌍")),
                Command.of(Long.MAX_VALUE, -2.5, Long.MAX_VALUE, new ChatCommand.SendMessage("ana", "bob", "")),
                new Command(
                        5,
                        1.5,
                        7,
                        "~s1/e/1",
                        3,
                        new ChatCommand.Publish("ana", "geral", "oi"),
                        new Fingerprint(-1, 42)),
                new Command(6, 1.5, 7, null, 0, new ChatCommand.CreateChannel("c"), new Fingerprint(0, 0)));
        for (Command command : commands) {
            byte[] bytes = ChatCommands.encode(command);
            assertThat(ChatCommands.decode(bytes)).isEqualTo(command);
            assertThat(ChatCommands.encode(ChatCommands.decode(bytes))).isEqualTo(bytes);
        }
    }

    @Test
    void randomCommandsRoundTrip() {
        for (Command command : ChatStateMachineTest.randomCommands(3, 200)) {
            assertThat(ChatCommands.decode(ChatCommands.encode(command))).isEqualTo(command);
        }
    }

    @Test
    void withIndexKeepsEverythingElse() {
        Command command = new Command(1, 2.0, 3, "c", 4, new ChatCommand.Login("ana"), new Fingerprint(5, 6));
        assertThat(command.withIndex(9))
                .isEqualTo(new Command(9, 2.0, 3, "c", 4, new ChatCommand.Login("ana"), new Fingerprint(5, 6)));
    }

    @Test
    void commandsWrittenBeforeFingerprintsDecodeAndEncodeToTheSameBytes() {
        // version 1, as every server wrote it before version 2: logs and snapshots of older servers stay readable,
        // and the digest (which hashes the encoding) of a replayed old command is unchanged
        byte[] old = MsgPack.encode(List.of(1L, "publish", 4L, 1.5, 9L, "~s1/aa01", 1_001L, "ana", "geral", "oi"));
        Command decoded = ChatCommands.decode(old);
        assertThat(decoded)
                .isEqualTo(new Command(4, 1.5, 9, "~s1/aa01", 1_001, new ChatCommand.Publish("ana", "geral", "oi")));
        assertThat(decoded.fingerprint()).isNull();
        assertThat(ChatCommands.encode(decoded)).isEqualTo(old);
        byte[] withFingerprint = ChatCommands.encode(
                new Command(4, 1.5, 9, null, 0, new ChatCommand.Login("ana"), new Fingerprint(7, 8)));
        assertThat(withFingerprint)
                .isEqualTo(MsgPack.encode(java.util.Arrays.asList(2L, "login", 4L, 1.5, 9L, null, 0L, 7L, 8L, "ana")));
    }

    @Test
    void garbageIsRejected() {
        assertThatThrownBy(() -> ChatCommands.decode(new byte[] {(byte) 0xc1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatCommands.decode(MsgPack.encode(List.of(1L, "login"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatCommands.decode(MsgPack.encode(List.of(9L, "login", 1L, 1.0, 1L, "", 0L, "a"))))
                .hasMessageContaining("version");
        assertThatThrownBy(() -> ChatCommands.decode(MsgPack.encode(List.of(2L, "login", 1L, 1.0, 1L, "c", 0L, 5L))))
                .hasMessageContaining("too few");
        assertThatThrownBy(() ->
                        ChatCommands.decode(MsgPack.encode(List.of(2L, "login", 1L, 1.0, 1L, "c", 0L, 5L, "x", "a"))))
                .hasMessageContaining("integer");
        assertThatThrownBy(() -> ChatCommands.decode(MsgPack.encode(List.of(1L, "drop", 1L, 1.0, 1L, "c", 0L))))
                .hasMessageContaining("unknown kind");
        assertThatThrownBy(() -> ChatCommands.decode(MsgPack.encode(List.of(1L, "login", 1L, 1.0, 1L, "c", 0L, 5L))))
                .hasMessageContaining("string");
    }

    @Test
    void commandsRejectNamesTheKeysCannotHold() {
        assertThatThrownBy(() -> new ChatCommand.Login("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChatCommand.Login("a\0b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Command.of(0, 1.0, 1, new ChatCommand.Login("a")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
