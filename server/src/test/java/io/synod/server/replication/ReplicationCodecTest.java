package io.synod.server.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.consensus.Command;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replication links' own messages: a batched {@code forward} survives the wire, bad ones are refused. */
class ReplicationCodecTest {

    @Test
    void forwardCarriesATurnsWritesInOrderThroughTheWire() {
        List<Command.Client> writes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writes.add(new Command.Client(2, 1_000 + i, new byte[] {(byte) i, 7}));
        }
        Envelope wire = Envelope.decode(ReplicationCodec.forward(2, writes).encode(), Limits.DEFAULT);
        List<Command.Client> decoded = ReplicationCodec.decodeForward(wire);
        assertThat(decoded).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(decoded.get(i).clientId()).isEqualTo(2);
            assertThat(decoded.get(i).requestId()).isEqualTo(1_000 + i);
            assertThat(decoded.get(i).payload()).containsExactly((byte) i, 7);
        }
    }

    @Test
    void forwardRefusesEmptyOversizedOrForeignBatches() {
        assertThatThrownBy(() -> ReplicationCodec.forward(2, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ReplicationCodec.forward(2, List.of(new Command.Client(3, 1, new byte[0]))))
                .hasMessageContaining("origin");
        List<Command.Client> tooMany = new ArrayList<>();
        for (int i = 0; i <= ReplicationCodec.FORWARD_WRITES_MAX; i++) {
            tooMany.add(new Command.Client(2, i, new byte[0]));
        }
        assertThatThrownBy(() -> ReplicationCodec.forward(2, tooMany)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedForwardIsAnErrorNotACommand() {
        List<Map<String, Object>> bad = List.of(
                Map.of("origin", 2L),
                Map.of("origin", 0L, "writes", List.of(List.of(1L, new byte[0]))),
                Map.of("origin", 2L, "writes", List.of()),
                Map.of("origin", 2L, "writes", "not a list"),
                Map.of("origin", 2L, "writes", List.of(List.of(1L))),
                Map.of("origin", 2L, "writes", List.of(List.of(-1L, new byte[0]))),
                Map.of("origin", 2L, "writes", List.of(List.of(1L, "text, not binary"))));
        for (Map<String, Object> data : bad) {
            assertThatThrownBy(() -> ReplicationCodec.decodeForward(new Envelope(ReplicationCodec.FORWARD, data)))
                    .as("%s", data)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
