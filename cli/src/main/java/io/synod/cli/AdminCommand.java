package io.synod.cli;

import io.synod.messaging.admin.AdminKey;
import io.synod.messaging.peer.PeerRequests;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code synod admin}: operator requests to the replicated servers, sent as one envelope on a
 * connection of its own to a server's replication endpoint, answered on that connection
 * (docs/protocol.md, replication on the peer links). With {@code --admin-key FILE} the request
 * carries the admin secret ({@code admin_key}), which a server in secure mode, or one given a key,
 * requires: without it the answer is {@code unauthorized} and nothing changes.
 *
 * <p>Thread-safety: one command per process, run on the main thread.
 */
@Command(
        name = "admin",
        mixinStandardHelpOptions = true,
        description = "Operator requests to replicated servers.",
        subcommands = {AdminCommand.RemoveServer.class})
final class AdminCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code synod admin remove-server NAME}: the leader proposes removing NAME through the log. */
    @Command(
            name = "remove-server",
            mixinStandardHelpOptions = true,
            description = "Remove a server from the replicated cluster (asks the leader; any server redirects).")
    static final class RemoveServer implements Callable<Integer> {
        /** Most redirects followed from a follower to the leader it names. */
        static final int REDIRECTS_MAX = 3;
        /** Requests sent to one server before giving up on it (asking again is safe: a removal applies once). */
        static final int ATTEMPTS_MAX = 3;
        /** Most retries while another membership change is still taking effect. */
        static final int PENDING_RETRIES_MAX = 20;
        /** Wait before such a retry. */
        static final long PENDING_RETRY_MILLIS = 250;

        @Parameters(index = "0", description = "the server to remove, e.g. server-3")
        String name;

        @Option(
                names = "--server",
                defaultValue = "tcp://127.0.0.1:7101",
                description = "any server's replication endpoint (default: ${DEFAULT-VALUE})")
        String endpoint;

        @Option(names = "--timeout-ms", defaultValue = "3000", description = "wait per request")
        int timeoutMillis;

        @Option(
                names = "--admin-key",
                paramLabel = "FILE",
                description = "file holding the admin key (./synod up --secure writes <run-dir>/data/admin.key)")
        Path adminKeyFile;

        @Option(
                names = "--server-key",
                paramLabel = "FILE",
                description =
                        "a secure cluster's server key pair (server.key_secret of ./synod keys; ./synod up --secure"
                                + " keeps it in <run-dir>/data/keys): its replication ports speak CurveZMQ and let in only that key")
        Path serverKeyFile;

        /** The secret sent, or null without {@code --admin-key}. */
        private String secret;

        /** The server key pair the link speaks CURVE with, or null (plain frames) without {@code --server-key}. */
        private io.synod.messaging.zmtp.CurveCrypto.KeyPair serverKeys;

        @Override
        public Integer call() throws InterruptedException {
            try {
                if (adminKeyFile != null) {
                    AdminKey.load(adminKeyFile); // a clear error for a missing or malformed file, before any request
                    secret = Files.readString(adminKeyFile, StandardCharsets.UTF_8)
                            .strip();
                }
                if (serverKeyFile != null) {
                    serverKeys = io.synod.messaging.zmtp.Z85Keys.readPair(serverKeyFile);
                }
                return removeThroughTheLeader();
            } catch (IllegalArgumentException e) {
                System.err.println("admin: " + e.getMessage()); // e.g. not a tcp://HOST:PORT endpoint
                return 2;
            } catch (IOException e) {
                System.err.println("admin: --admin-key " + adminKeyFile + ": " + e.getMessage());
                return 2;
            }
        }

        private int removeThroughTheLeader() throws InterruptedException {
            String target = endpoint;
            int pendingRetries = 0;
            for (int hop = 0; hop <= REDIRECTS_MAX; hop++) {
                Map<String, Object> answer = ask(target);
                for (int attempt = 1; answer == null && attempt < ATTEMPTS_MAX; attempt++) {
                    System.err.println("admin: no answer from " + target + "; asking again");
                    Thread.sleep(PENDING_RETRY_MILLIS);
                    answer = ask(target); // a new connection per attempt
                }
                if (answer == null) {
                    System.err.println("admin: no answer from " + target + ", " + ATTEMPTS_MAX + " times");
                    return 1;
                }
                System.out.println(target + ": " + answer.get("status") + " " + answer.get("description"));
                if ("OK".equals(answer.get("status"))) {
                    return 0;
                }
                if ("unauthorized".equals(answer.get("error"))) {
                    System.err.println("admin: refused: "
                            + (secret == null
                                    ? "this cluster needs --admin-key FILE"
                                    : "the admin key was not accepted"));
                    return 1;
                }
                if (String.valueOf(answer.get("description")).contains("RECONFIGURATION_PENDING")
                        && pendingRetries++ < PENDING_RETRIES_MAX) {
                    hop--; // the previous change is still taking effect (alpha slots): ask again shortly
                    Thread.sleep(PENDING_RETRY_MILLIS);
                    continue;
                }
                if (!(answer.get("leader_endpoint") instanceof String leader) || leader.equals(target)) {
                    return 1;
                }
                target = leader;
            }
            return 1;
        }

        private Map<String, Object> request() {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("name", name);
            if (secret != null) {
                data.put(AdminKey.ENVELOPE_FIELD, secret);
            }
            return data;
        }

        /** @return the answer, or null (after saying why) if there was none */
        private Map<String, Object> ask(String target) {
            try {
                return PeerRequests.request(
                                target,
                                "admin",
                                new Envelope("remove", request()),
                                timeoutMillis,
                                Limits.DEFAULT,
                                serverKeys)
                        .data();
            } catch (IOException e) {
                System.err.println("admin: " + target + ": " + e.getMessage());
                return null;
            }
        }
    }
}
