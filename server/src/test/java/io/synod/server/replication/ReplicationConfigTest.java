package io.synod.server.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.consensus.Membership;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Node ids from names: the number a name ends with, and node 1 for a group of one whose name carries none. */
class ReplicationConfigTest {
    private static Map<String, String> members(String... names) {
        Map<String, String> members = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            members.put(names[i], "tcp://127.0.0.1:" + (7_000 + i));
        }
        return members;
    }

    @Test
    void aNameEndingWithANumberIsThatNode() {
        assertThat(ReplicationConfig.nodeIdOf("server-12")).isEqualTo(12);
        assertThat(ReplicationConfig.nodeIdOf("alpha")).isEqualTo(-1);
        assertThat(ReplicationConfig.nodeIdOf("server-0")).isZero();
        assertThat(ReplicationConfig.nodeIdOf("s1234567890"))
                .as("more than nine digits")
                .isEqualTo(-1);
        ReplicationConfig alone = ReplicationConfig.alone("server-7", ReplicationConfig.ALONE_ENDPOINT);
        assertThat(alone.nodeId()).isEqualTo(7);
        assertThat(alone.paxos().genesis()).isEqualTo(Membership.ofVoters(List.of(7)));
    }

    @Test
    void aGroupOfOneWhoseNameCarriesNoIdIsNodeOne() {
        for (String name : List.of("alpha", "server-0", "s1234567890")) {
            ReplicationConfig alone = ReplicationConfig.alone(name, ReplicationConfig.ALONE_ENDPOINT);
            assertThat(alone.nodeId()).as(name).isEqualTo(1);
            assertThat(alone.idOf(name)).isEqualTo(1);
            assertThat(alone.idOf("beta"))
                    .as("another name keeps its own reading")
                    .isEqualTo(-1);
            assertThat(alone.paxos().genesis()).isEqualTo(Membership.ofVoters(List.of(1)));
            assertThat(alone.members()).containsOnlyKeys(name);
        }
        assertThat(ReplicationConfig.defaults("alpha", members("alpha")).nodeId())
                .as("--initial-members naming only itself is a group of one too")
                .isEqualTo(1);
    }

    @Test
    void inALargerGroupEveryNameMustEndWithItsOwnId() {
        assertThatThrownBy(() -> ReplicationConfig.defaults("alpha", members("alpha", "server-2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ends with its node id");
        assertThatThrownBy(() -> ReplicationConfig.defaults("server-1", members("server-1", "beta")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distinct ids");
        assertThatThrownBy(() -> ReplicationConfig.defaults("server-1", members("server-1", "x-1")))
                .hasMessageContaining("distinct ids");
        assertThatThrownBy(() -> ReplicationConfig.defaults("alpha", "tcp://127.0.0.1:7100", true, members("server-1")))
                .as("a joiner is never alone")
                .hasMessageContaining("ends with its node id");
        assertThatThrownBy(() -> ReplicationConfig.defaults("server-2", "tcp://127.0.0.1:7100", true, members("alpha")))
                .as("nor is the group it joins")
                .hasMessageContaining("distinct ids");
    }
}
