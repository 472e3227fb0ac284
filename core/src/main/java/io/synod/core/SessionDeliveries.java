package io.synod.core;

import io.synod.protocol.Publication;
import io.synod.protocol.SessionTopics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Private delivery (docs/security.md): next to each private message and notification a write produces, one copy per
 * live session of its recipient, on that session's topic ({@link SessionTopics}). The state machine makes both and
 * knows no mode; a server in secure mode publishes only the copies, one in compat mode only the originals, so compat
 * mode publishes exactly what it did. Copies are made in log order from the replicated sessions, so every server
 * (and a new leader republishing) derives the same ones; a session therefore receives every delivery applied after
 * its login and before its logout or expiry (at the write's log time), each topic with the user's own gap-free
 * {@code seq}.
 *
 * <p>Thread-safety: stateless.
 */
final class SessionDeliveries {
    private SessionDeliveries() {}

    /** {@code result} with the session copies of its private messages and notifications after them. */
    static Result withSessionCopies(Transaction tx, Command command, Result result) {
        if (!result.isOk() || result.publications().isEmpty()) {
            return result;
        }
        List<Publication> copies = null;
        Map<String, List<String>> deliveriesByUser = new HashMap<>();
        for (Publication p : result.publications()) {
            String recipient = switch (p) {
                case Publication.DirectMessage dm -> dm.dst();
                case Publication.Notification n -> n.user();
                default -> null;
            };
            if (recipient == null) {
                continue;
            }
            List<String> deliveries = deliveriesByUser.computeIfAbsent(
                    recipient, user -> liveDeliveries(tx, user, command.timestampSeconds()));
            for (String delivery : deliveries) {
                if (copies == null) {
                    copies = new ArrayList<>(result.publications());
                }
                String topic = p instanceof Publication.DirectMessage
                        ? SessionTopics.messagesTopic(delivery)
                        : SessionTopics.notificationsTopic(delivery);
                copies.add(new Publication.SessionDelivery(topic, p));
            }
        }
        return copies == null ? result : Result.ok(copies);
    }

    /** The delivery strings of {@code user}'s sessions live at {@code nowSeconds}, oldest first. */
    private static List<String> liveDeliveries(Transaction tx, String user, double nowSeconds) {
        List<Object> sessions = AccountRules.sessions(tx, user);
        List<String> live = new ArrayList<>(sessions.size() / 2);
        for (int i = 0; i < sessions.size(); i += 2) {
            if (nowSeconds < Values.longAt(sessions, i + 1)) {
                live.add(SessionTopics.delivery(Values.stringAt(sessions, i)));
            }
        }
        return live;
    }
}
