package io.synod.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Private delivery in secure mode (docs/protocol.md section 5, docs/security.md): a user's private messages and
 * notifications go out on topics that only the holders of one of the user's sessions know, never on the user's name.
 *
 * <p>Each session has a <b>delivery</b> string, derived from the session's stored hash ({@code SHA-256(token)} in
 * hex) so that every server computes it from the replicated state alone and no server has to keep a secret of its
 * own: {@code delivery = base64url(SHA-256("synod-delivery:" + sessionHash))}, 43 characters. Only a holder of the
 * token (or of the replicated state) can compute it; a login in secure mode returns it. Its two topics are {@code
 * \u001Fsession\u001F<delivery>\u001Fmessages\u001F} and {@code \u001Fsession\u001F<delivery>\u001Fnotifications\u001F}:
 * two topics because each carries its own gap-free {@code seq} (the user's received messages, the user's
 * notifications), like the name topics they replace. They start and end with U+001F, which no name contains.
 *
 * <p>Thread-safety: stateless.
 */
public final class SessionTopics {
    /** The prefix of every session topic. */
    public static final String PREFIX = Social.TOPIC_MARK + "session" + Social.TOPIC_MARK;

    private static final String MESSAGES_SUFFIX = Social.TOPIC_MARK + "messages" + Social.TOPIC_MARK;
    private static final String NOTIFICATIONS_SUFFIX = Social.TOPIC_MARK + "notifications" + Social.TOPIC_MARK;
    private static final String DERIVATION_LABEL = "synod-delivery:";
    /** Length of a delivery string: 32 bytes in unpadded base64url. */
    public static final int DELIVERY_CHARS = 43;

    private SessionTopics() {}

    /** The delivery string of the session whose token hashes (SHA-256, hex) to {@code sessionHash}. */
    public static String delivery(String sessionHash) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((DERIVATION_LABEL + sessionHash).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The topic of the private messages received by the session of {@code delivery}. */
    public static String messagesTopic(String delivery) {
        return PREFIX + delivery + MESSAGES_SUFFIX;
    }

    /** The topic of the notifications of the session of {@code delivery}. */
    public static String notificationsTopic(String delivery) {
        return PREFIX + delivery + NOTIFICATIONS_SUFFIX;
    }

    /** Whether {@code topic} is a session's messages topic. */
    static boolean isMessagesTopic(String topic) {
        return topic.startsWith(PREFIX) && topic.endsWith(MESSAGES_SUFFIX);
    }

    /** Whether {@code topic} is a session's notifications topic. */
    static boolean isNotificationsTopic(String topic) {
        return topic.startsWith(PREFIX) && topic.endsWith(NOTIFICATIONS_SUFFIX);
    }
}
