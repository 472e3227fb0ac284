package io.synod.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.client.ClientConfig;
import io.synod.client.SynodClient;
import io.synod.protocol.Envelope;
import io.synod.protocol.Services;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 23's accounts and sessions on three replicated servers in secure mode, as real processes: a password is
 * required; posting or sending as another user fails; another user's private_history is refused; a logout revokes
 * the session on every server (the broker hands requests to the servers in turn).
 */
class SecureModeTest {
    /** Requests sent with a revoked token: the broker hands them to the three servers in turn. */
    private static final int AFTER_LOGOUT_REQUESTS = 6;

    @Test
    @Timeout(180)
    void secureModeRefusesImpersonationPrivateReadsOfOthersAndRevokedTokens() throws Exception {
        try (Cluster cluster = new Cluster("secure")) {
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String name : List.of("server-1", "server-2", "server-3")) {
                endpoints.put(name, Processes.endpoint(Processes.freePort()));
            }
            List<String> extra = List.of("--initial-members", Cluster.initialMembers(endpoints), "--secure");
            List<Processes.Started> servers = new ArrayList<>();
            for (String name : endpoints.keySet()) {
                servers.add(cluster.startServer(name, extra));
            }
            for (Processes.Started server : servers) {
                assertThat(server.outputText()).contains("server " + server.name() + " mode=secure");
            }
            Cluster.awaitLeader(servers);
            String broker = Processes.endpoint(cluster.brokerFrontend);
            String proxy = Processes.endpoint(cluster.proxyXpub);
            ClientConfig config = ClientConfig.defaults(broker, proxy);
            try (SynodClient ana = SynodClient.connect(config, null);
                    SynodClient bob = SynodClient.connect(config, null);
                    SynodClient mallory = SynodClient.connect(config, null);
                    Cluster.RetryingClient carol = new Cluster.RetryingClient(broker, "carol-wire")) {
                assertThat(ana.login("ana").ok())
                        .as("secure mode: a login needs a password")
                        .isFalse();
                assertThat(ana.login("ana", "senha-da-ana").ok()).isTrue();
                assertThat(bob.login("bob", "senha-do-bob").ok()).isTrue();
                assertThat(mallory.login("ana", "chute").ok())
                        .as("a wrong password")
                        .isFalse();
                assertThat(mallory.login("mallory", "m").ok()).isTrue();

                assertThat(ana.createChannel("geral").ok()).isTrue();
                assertThat(ana.publish("geral", "oi").ok()).isTrue();
                assertThat(ana.sendMessage("bob", "só para o bob").ok()).isTrue();

                // mallory's own valid token, claiming to be ana or bob
                assertThat(status(mallory, Services.PUBLISH, Map.of("user", "ana", "channel", "geral", "message", "x")))
                        .as("publish as ana")
                        .isFalse();
                assertThat(status(mallory, Services.MESSAGE, Map.of("src", "bob", "dst", "ana", "message", "x")))
                        .as("message as bob")
                        .isFalse();
                assertThat(status(mallory, Services.POST, Map.of("user", "ana", "message", "x")))
                        .isFalse();
                assertThat(status(mallory, Services.PRIVATE_HISTORY, Map.of("user", "bob")))
                        .as("bob's private_history")
                        .isFalse();
                assertThat(bob.privateHistory(null, 0, 10).messages()).hasSize(1);

                // a raw wire client: the token is a field like any other
                Envelope login = carol.call("login", Map.of("user", "carol", "password", "senha-da-carol"));
                String token = (String) login.data().get("token");
                assertThat(token).isNotBlank();
                assertThat(carol.call("post", Map.of("user", "carol", "message", "olá", "token", token))
                                .data())
                        .containsEntry("status", "OK");
                Envelope logout = carol.call("logout", Map.of("user", "carol", "token", token));
                assertThat(logout.data()).containsEntry("status", "OK");
                long loggedOutAt = (Long) logout.data().get("index");
                for (int i = 0; i < AFTER_LOGOUT_REQUESTS; i++) {
                    Envelope post =
                            carol.call("post", Map.of("user", "carol", "message", "again " + i, "token", token));
                    assertThat(post.data()).as("post %d after logout", i).containsEntry("status", "erro");
                    Envelope read = carol.call(
                            "private_history", Map.of("user", "carol", "token", token, "min_index", loggedOutAt));
                    assertThat(read.data()).as("read %d after logout", i).containsEntry("status", "erro");
                }
            }
            String converged = Cluster.awaitConverged(servers);
            assertThat(converged).isNotBlank();
            for (Processes.Started server : servers) {
                assertThat(server.outputText()).doesNotContain("senha-da-ana");
                String log = Files.readString(Path.of(cluster.log(server.name())));
                assertThat(log).doesNotContain("senha-da-carol").doesNotContain("senha-do-bob");
            }
        }
    }

    /** Whether {@code client}'s request (sent with its own session token) succeeded. */
    private static boolean status(SynodClient client, String service, Map<String, Object> fields) throws Exception {
        Object status = client.requestAsync(service, fields)
                .get(30, TimeUnit.SECONDS)
                .data()
                .get("status");
        return "OK".equals(status) || "sucesso".equals(status);
    }
}
