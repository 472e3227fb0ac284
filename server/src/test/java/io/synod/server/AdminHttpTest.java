package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.messaging.admin.HealthCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's three health checks over given status documents and directories. */
class AdminHttpTest {
    @TempDir
    Path dir;

    private static Map<String, Object> status(String leader, long connected, String... voters) {
        List<Map<String, Object>> members = java.util.Arrays.stream(voters)
                .map(name -> Map.<String, Object>of("name", name, "role", "voter"))
                .toList();
        java.util.Map<String, Object> status = new java.util.HashMap<>();
        status.put("name", "server-1");
        status.put("leader", leader);
        status.put("ballot", "3.1");
        status.put("members", members);
        status.put("paxos_links", Map.of("connected", connected));
        return status;
    }

    @Test
    void aQuorumIsThisVoterAndItsLiveLinksToAMajority() {
        assertThat(AdminHttp.quorumReachable(status("server-1", 0, "server-1")).ok())
                .as("alone")
                .isTrue();
        assertThat(AdminHttp.quorumReachable(status("server-1", 1, "server-1", "server-2", "server-3"))
                        .ok())
                .isTrue();
        HealthCheck cut = AdminHttp.quorumReachable(status("server-1", 0, "server-1", "server-2", "server-3"));
        assertThat(cut.ok()).isFalse();
        assertThat(cut.detail()).isEqualTo("1 of 3 voters reachable (this server and its live links), 2 needed");
        assertThat(AdminHttp.quorumReachable(status("server-1", 1, "server-2", "server-3"))
                        .ok())
                .as("a learner with one link does not make a majority of two")
                .isFalse();
        assertThat(AdminHttp.quorumReachable(Map.of()).ok())
                .as("no members known")
                .isFalse();
    }

    @Test
    void aLeaderMustBeKnown() {
        assertThat(AdminHttp.leaderKnown(status("server-2", 1, "server-1")).detail())
                .isEqualTo("leader server-2, ballot 3.1");
        assertThat(AdminHttp.leaderKnown(status(null, 1, "server-1")).ok()).isFalse();
    }

    @Test
    void theStoreMustTakeASyncedWrite() throws Exception {
        assertThat(AdminHttp.storeWritable(dir).ok()).isTrue();
        assertThat(dir.resolve(AdminHttp.PROBE_FILE)).doesNotExist();
        assertThat(AdminHttp.storeWritable(dir.resolve("gone")).ok()).isFalse();
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        boolean root = Files.isWritable(readOnly); // root writes anyway: nothing to check then
        if (!root) {
            assertThat(AdminHttp.storeWritable(readOnly).ok()).isFalse();
        }
    }
}
