package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many fresh clusters, one first request each: guards the JeroMQ stuck-connect workaround of {@link RawReq}. */
class FirstRequestTest {
    @TempDir
    Path root;

    @Test
    void theFirstRequestOfAFreshClientIsAlwaysAnswered() {
        for (int i = 0; i < 10; i++) {
            try (Harness harness = new Harness(root.resolve("run-" + i))) {
                harness.startServer("s1");
                assertThat(harness.client().call("users", Map.of()).data()).containsKey("users");
            }
        }
    }
}
