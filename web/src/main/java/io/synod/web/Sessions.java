package io.synod.web;

import io.synod.client.ClientConfig;
import io.synod.client.ClientReply;
import io.synod.client.SynodClient;
import io.synod.messaging.InteractionLog;
import io.synod.messaging.ProcessClock;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web process's only state: logged-in sessions by token. A login creates the session's own
 * {@link SynodClient} and sends {@code login} through it (with the password when one is given, so
 * the client keeps the cluster's session token and sends it with every later request; the page
 * never sees it); the cookie token and the CSRF token are 256 random bits each. In compat mode a
 * login may be the user name alone, as in the statement; in secure mode it needs a password. After
 * a login the client listens to the posts of the users the user follows (at most
 * {@link #FOLLOWED_AUTHORS_MAX}), so they reach the page live.
 *
 * <p>Thread-safety: thread-safe.
 */
final class Sessions implements AutoCloseable {
    /** Most sessions at once: each holds a cluster client (two threads and a socket pair). */
    static final int SESSIONS_MAX = 256;
    /** A session with no open WebSocket and no request for this long is closed. */
    static final long SESSION_IDLE_MILLIS = TimeUnit.MINUTES.toMillis(30);

    /** Followed authors whose post topics a login subscribes to: ten pages of the protocol's 100. */
    static final int FOLLOWED_AUTHORS_MAX = 1_000;

    private static final int FOLLOWING_PAGE_LIMIT = 100;
    private static final int TOKEN_BYTES = 32;
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

    private final ClientConfig clientConfig;
    private final ProcessClock clock;
    private final InteractionLog log;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, UserSession> byToken = new ConcurrentHashMap<>();

    private final boolean secure;

    Sessions(ClientConfig clientConfig, ProcessClock clock, InteractionLog log, boolean secure) {
        this.clientConfig = clientConfig;
        this.secure = secure;
        this.clock = clock;
        this.log = log;
    }

    boolean secure() {
        return secure;
    }

    /**
     * Logs {@code user} in through a new client.
     *
     * @param password the user's password, or null (refused in secure mode)
     * @throws ApiError 400 without a password in secure mode, 422 with the server's text when the cluster refuses, 503
     *     when {@link #SESSIONS_MAX} sessions are open
     */
    UserSession login(String user, String password) {
        if (secure && password == null) {
            throw ApiError.badRequest("missing field 'password': this web process runs in secure mode");
        }
        closeIdle();
        if (byToken.size() >= SESSIONS_MAX) {
            throw new ApiError(503, "too many sessions on this web process (" + SESSIONS_MAX + "); try later");
        }
        String token = randomToken();
        UserSession session = new UserSession(token, randomToken(), user, password != null, System::nanoTime);
        SynodClient client = new SynodClient(clientConfig, clock, log, session);
        session.attach(client);
        ClientReply.Status reply;
        try {
            reply = client.login(user, password);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        if (!reply.ok()) {
            session.close();
            throw new ApiError(422, reply.errorText());
        }
        listenToFollowed(session);
        byToken.put(token, session);
        return session;
    }

    private String randomToken() {
        byte[] bytes = new byte[TOKEN_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Subscribes to the posts of the users {@code session}'s user follows. A cluster without the social services, or
     * one that does not answer, leaves the session without live posts; the page still reads them.
     */
    private static void listenToFollowed(UserSession session) {
        SynodClient client = session.client();
        String after = null;
        int subscribed = 0;
        try {
            while (subscribed < FOLLOWED_AUTHORS_MAX) {
                ClientReply.SocialPage page = client.social().following(session.user(), after, FOLLOWING_PAGE_LIMIT);
                if (!page.ok()) {
                    return;
                }
                List<String> users = page.names("users");
                for (String author : users) {
                    if (subscribed++ >= FOLLOWED_AUTHORS_MAX) {
                        return;
                    }
                    client.social().subscribePosts(author);
                }
                after = page.text("next_after");
                if (!page.more() || users.isEmpty() || after == null) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("session of {}: followed users' posts will not be live: {}", session.user(), e.toString());
        }
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

    /**
     * Ends the session of {@code token}; one with a cluster session first sends {@code logout}, which revokes the
     * cluster's token on every server.
     *
     * @return false when the cluster did not confirm the logout (its token then lives until it expires)
     */
    boolean logout(String token) {
        UserSession session = token == null ? null : byToken.remove(token);
        if (session == null) {
            return true;
        }
        boolean revoked = true;
        if (session.hasClusterSession()) {
            try {
                ClientReply.Status reply = session.client().logout();
                revoked = reply.ok();
                if (!revoked) {
                    LOG.warn("cluster logout of {} refused: {}", session.user(), reply.errorText());
                }
            } catch (RuntimeException e) {
                revoked = false;
                LOG.warn("cluster logout of {} failed: {}", session.user(), e.toString());
            }
        }
        session.close();
        return revoked;
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
