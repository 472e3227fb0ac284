package io.synod.web;

import io.synod.client.ClientConfig;
import io.synod.client.ClientReply;
import io.synod.client.SynodClient;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The web process's only state: logged-in sessions by token. A login creates the session's own
 * {@link SynodClient} and sends {@code login} through it; the token (256 random bits) goes back in
 * an HttpOnly cookie. In compat mode a login is the user name alone, as in the statement.
 *
 * <p>Thread-safety: thread-safe.
 */
final class Sessions implements AutoCloseable {
    /** Most sessions at once: each holds a cluster client (two threads and a socket pair). */
    static final int SESSIONS_MAX = 256;
    /** A session with no open WebSocket and no request for this long is closed. */
    static final long SESSION_IDLE_MILLIS = TimeUnit.MINUTES.toMillis(30);

    private static final int TOKEN_BYTES = 32;

    private final ClientConfig clientConfig;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, UserSession> byToken = new ConcurrentHashMap<>();

    Sessions(ClientConfig clientConfig, ProcessClock clock, InteractionLog log) {
        this.clientConfig = clientConfig;
        this.clock = clock;
        this.log = log;
    }

    /**
     * Logs {@code user} in through a new client.
     *
     * @throws ApiError 422 with the server's text when the cluster refuses, 503 when
     *     {@link #SESSIONS_MAX} sessions are open
     */
    UserSession login(String user) {
        closeIdle();
        if (byToken.size() >= SESSIONS_MAX) {
            throw new ApiError(503, "too many sessions on this web process (" + SESSIONS_MAX + "); try later");
        }
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        UserSession session = new UserSession(token, user, System::nanoTime);
        SynodClient client = new SynodClient(clientConfig, clock, log, session);
        session.attach(client);
        ClientReply.Status reply;
        try {
            reply = client.login(user);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        if (!reply.ok()) {
            session.close();
            throw new ApiError(422, reply.errorText());
        }
        byToken.put(token, session);
        return session;
    }

    Optional<UserSession> find(String token) {
        if (token == null) {
            return Optional.empty();
        }
        UserSession session = byToken.get(token);
        if (session != null) {
            session.touch();
        }
        return Optional.ofNullable(session);
    }

    void logout(String token) {
        UserSession session = token == null ? null : byToken.remove(token);
        if (session != null) {
            session.close();
        }
    }

    int size() {
        return byToken.size();
    }

    /** Closes the sessions idle for {@link #SESSION_IDLE_MILLIS}. */
    void closeIdle() {
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(SESSION_IDLE_MILLIS);
        byToken.values().removeIf(session -> {
            if (session.idleFor(idleNanos)) {
                session.close();
                return true;
            }
            return false;
        });
    }

    @Override
    public void close() {
        byToken.values().forEach(UserSession::close);
        byToken.clear();
    }
}
