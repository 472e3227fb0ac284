package io.synod.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.websocket.WsContext;
import io.synod.client.Delivery;
import io.synod.client.DeliveryListener;
import io.synod.client.SynodClient;
import io.synod.protocol.Publication;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One logged-in browser session: its cookie token, its CSRF token, its user, its own
 * {@link SynodClient} (so the user's inbox, channel subscriptions, followed authors' posts and the
 * cluster's session token are its own, and never reach the page) and the WebSockets its pages
 * opened. Each delivery goes to every open socket as one JSON text
 * {@code {"type":"delivery","kind":"channel"|"private"|"post"|"notification","topic","source","payload"}}.
 *
 * <p>Thread-safety: thread-safe. Deliveries arrive on the client's delivery thread; sockets are
 * added and removed on Jetty's threads.
 */
final class UserSession implements DeliveryListener, AutoCloseable {
    /** Most WebSockets one session may hold open (tabs of one login). */
    static final int SOCKETS_PER_SESSION_MAX = 8;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String token;
    private final String csrfToken;
    private final String user;
    private final boolean clusterSession;
    private final LongSupplier nanoClock;
    private final Set<WsContext> sockets = ConcurrentHashMap.newKeySet();
    private volatile SynodClient client;
    private volatile long lastUsedNanos;

    /**
     * @param clusterSession whether the login carried a password, so the cluster gave the client a session token that
     *     a logout must revoke
     */
    UserSession(String token, String csrfToken, String user, boolean clusterSession, LongSupplier nanoClock) {
        this.token = token;
        this.csrfToken = csrfToken;
        this.user = user;
        this.clusterSession = clusterSession;
        this.nanoClock = nanoClock;
        this.lastUsedNanos = nanoClock.getAsLong();
    }

    /** Set once, right after construction: the client needs this session as its listener. */
    void attach(SynodClient attached) {
        this.client = attached;
    }

    String token() {
        return token;
    }

    String user() {
        return user;
    }

    /** The value the page sends in {@code X-Synod-CSRF} with every state-changing request. */
    String csrfToken() {
        return csrfToken;
    }

    /** Whether the client holds a cluster session (a login with a password) that logout revokes. */
    boolean hasClusterSession() {
        return clusterSession;
    }

    SynodClient client() {
        touch();
        return client;
    }

    void touch() {
        lastUsedNanos = nanoClock.getAsLong();
    }

    /** Idle: no open socket and no request for {@code idleNanos}. */
    boolean idleFor(long idleNanos) {
        return sockets.isEmpty() && nanoClock.getAsLong() - lastUsedNanos > idleNanos;
    }

    /** Adds a socket; false when the session holds {@link #SOCKETS_PER_SESSION_MAX} already. */
    boolean addSocket(WsContext socket) {
        synchronized (sockets) {
            if (sockets.size() >= SOCKETS_PER_SESSION_MAX) {
                return false;
            }
            sockets.add(socket);
        }
        touch();
        return true;
    }

    void removeSocket(WsContext socket) {
        sockets.remove(socket);
        touch();
    }

    @Override
    public void onDelivery(Delivery delivery) {
        Publication publication = delivery.publication();
        String kind = switch (publication) {
            case Publication.ChannelPost post -> "channel";
            case Publication.DirectMessage message -> "private";
            case Publication.SocialPost post -> "post";
            case Publication.Notification notification -> "notification";
            case Publication.SessionDelivery session -> "private"; // SynodClient hands over what it carries
        };
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", "delivery");
        event.put("kind", kind);
        event.put("topic", publication.topic());
        event.put("source", delivery.source().name().toLowerCase(java.util.Locale.ROOT));
        event.put("payload", publication.toPayload());
        broadcast(event);
    }

    @Override
    public void onGapSkipped(String topic, long fromSeq, long toSeq) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", "gap_skipped");
        event.put("topic", topic);
        event.put("from_seq", fromSeq);
        event.put("to_seq", toSeq);
        broadcast(event);
    }

    private void broadcast(Map<String, Object> event) {
        String text;
        try {
            text = JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a delivery could not be written as JSON", e);
        }
        for (WsContext socket : sockets) {
            if (!socket.session.isOpen()) {
                sockets.remove(socket);
                continue;
            }
            try {
                socket.send(text);
            } catch (RuntimeException e) { // closed meanwhile: the page refetches what it missed
                sockets.remove(socket);
            }
        }
    }

    @Override
    public void close() {
        for (WsContext socket : sockets) {
            socket.closeSession(1000, "logged out");
        }
        sockets.clear();
        SynodClient attached = client;
        if (attached != null) {
            attached.close();
        }
    }
}
