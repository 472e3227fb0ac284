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
                Command.of(Long.MAX_VALUE, -2.5, Long.MAX_VALUE, new ChatCommand.SendMessage("ana", "bob", "")));
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
        Command command = new Command(1, 2.0, 3, "c", 4, new ChatCommand.Login("ana"));
        assertThat(command.withIndex(9)).isEqualTo(new Command(9, 2.0, 3, "c", 4, new ChatCommand.Login("ana")));
    }

    @Test
    void garbageIsRejected() {
        assertThatThrownBy(() -> ChatCommands.decode(new byte[] {(byte) 0xc1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatCommands.decode(MsgPack.encode(List.of(1L, "login"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatCommands.decode(MsgPack.encode(List.of(2L, "login", 1L, 1.0, 1L, "", 0L, "a"))))
                .hasMessageContaining("version");
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
