package io.synod.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerRegistryTest {
    private final ServerRegistry registry = new ServerRegistry(RegistryConfig.withHeartbeatTimeout(5_000));

    @Test
    void ranksAreFirstComeAndStablePerName() {
        assertThat(registry.rank("s1", null, 0)).isEqualTo(new RankResult.Ranked(1, true));
        assertThat(registry.rank("s2", "tcp://127.0.0.1:7001", 0)).isEqualTo(new RankResult.Ranked(2, true));
        assertThat(registry.rank("s1", null, 10)).isEqualTo(new RankResult.Ranked(1, false));
        assertThat(registry.rank("s3", null, 10)).isEqualTo(new RankResult.Ranked(3, true));
        assertThat(registry.rank("s2", "tcp://127.0.0.1:7001", 20)).isEqualTo(new RankResult.Ranked(2, false));
        assertThat(registry.rank("s2", "tcp://127.0.0.1:7002", 20)).isEqualTo(new RankResult.Ranked(2, true));
        assertThat(registry.all()).extracting(RegisteredServer::name).containsExactly("s1", "s2", "s3");
    }

    @Test
    void listHoldsOnlyServersWithARecentHeartbeat() {
        registry.rank("s1", "a1", 1_000);
        registry.rank("s2", "a2", 1_000);
        assertThat(registry.list(6_000)).extracting(RegisteredServer::name).containsExactly("s1", "s2");
        registry.heartbeat("s2", null, 4_000);
        assertThat(registry.list(6_001)).containsExactly(new RegisteredServer("s2", 2, "a2"));
        assertThat(registry.list(9_001)).isEmpty();
        registry.heartbeat("s1", null, 9_500);
        assertThat(registry.list(9_600)).extracting(RegisteredServer::rank).containsExactly(1L);
    }

    @Test
    void byDefaultAServerBeatingEveryTenSecondsStaysListedAndGoesThirtySecondsAfterItsLastBeat() {
        ServerRegistry defaults = new ServerRegistry(RegistryConfig.DEFAULT);
        assertThat(RegistryConfig.DEFAULT.heartbeatTimeoutMillis()).isEqualTo(30_000);
        defaults.rank("foreign", null, 0);
        for (long beat = 10_000; beat <= 60_000; beat += 10_000) {
            assertThat(defaults.list(beat - 1))
                    .as("just before the beat at %d", beat)
                    .hasSize(1);
            defaults.heartbeat("foreign", null, beat);
        }
        assertThat(defaults.list(90_000)).as("30 s after the last beat").hasSize(1);
        assertThat(defaults.list(90_001)).isEmpty();
        defaults.heartbeat("foreign", null, 95_000);
        assertThat(defaults.list(95_000)).extracting(RegisteredServer::rank).containsExactly(1L);
    }

    @Test
    void aHeartbeatFromAnUnknownNameRegistersIt() {
        assertThat(registry.heartbeat("s9", null, 0)).isEqualTo(new RankResult.Ranked(1, true));
        assertThat(registry.list(0)).hasSize(1);
    }

    @Test
    void badNamesAndAFullRegistryAreRefused() {
        ServerRegistry small = new ServerRegistry(new RegistryConfig(5_000, 1, 8, 16));
        assertThat(small.rank("", null, 0)).isInstanceOf(RankResult.Refused.class);
        assertThat(small.rank("x".repeat(9), null, 0)).isInstanceOf(RankResult.Refused.class);
        assertThat(small.rank("s1", "y".repeat(17), 0)).isInstanceOf(RankResult.Refused.class);
        assertThat(small.rank("s1", null, 0)).isEqualTo(new RankResult.Ranked(1, true));
        assertThat(small.rank("s2", null, 0)).isEqualTo(new RankResult.Refused("the registry is full (1 servers)"));
    }

    @Test
    void exportedStateRestoresRanksButNotLiveness() {
        registry.rank("s1", "tcp://a", 0);
        registry.rank("sé", null, 0);
        registry.rank("s3", null, 0);
        ServerRegistry restored = ServerRegistry.restore(RegistryConfig.DEFAULT, registry.exportState());
        assertThat(restored.all()).isEqualTo(registry.all());
        assertThat(restored.list(0)).isEmpty();
        assertThat(restored.rank("sé", null, 1)).isEqualTo(new RankResult.Ranked(2, false));
        assertThat(restored.rank("s4", null, 1)).isEqualTo(new RankResult.Ranked(4, true));
        assertThat(restored.exportState()).isNotEqualTo(registry.exportState());
    }

    @Test
    void corruptStateIsRejected() {
        assertThatThrownBy(() -> ServerRegistry.restore(RegistryConfig.DEFAULT, new byte[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] state = registry.exportState();
        byte[] longer = java.util.Arrays.copyOf(state, state.length + 1);
        assertThatThrownBy(() -> ServerRegistry.restore(RegistryConfig.DEFAULT, longer))
                .hasMessageContaining("trailing");
    }
}
