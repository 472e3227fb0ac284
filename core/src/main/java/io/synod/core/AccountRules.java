package io.synod.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The rules of passwords and sessions, applied in log order so every replica agrees. The core never sees a password
 * or a token: the accepting server hashes them (slow, salted, random: not deterministic, so not here) and a command
 * carries only the results. A login that names the user's stored hash proves the server checked the password
 * against it; a login racing a first password (two servers each saw no password) loses here, in log order.
 *
 * <p>Thread-safety: stateless.
 */
final class AccountRules {
    /**
     * Most sessions one user holds at once: a login beyond it revokes the user's oldest session. Bounds the copies
     * of each private message and notification (one per session, {@link SessionDeliveries}) and the user's session
     * list ({@code Y user}).
     */
    static final int SESSIONS_PER_USER_MAX = 16;

    private AccountRules() {}

    /** The user a write is sent by (its author); {@code channel} names none. */
    static String ownerName(ChatCommand operation) {
        return switch (operation) {
            case ChatCommand.Login l -> l.user();
            case ChatCommand.Logout l -> l.user();
            case ChatCommand.Publish p -> p.user();
            case ChatCommand.SendMessage m -> m.src();
            case ChatCommand.SocialCommand s -> s.user();
            case ChatCommand.CreateChannel c -> throw new IllegalArgumentException("a channel has no author");
        };
    }

    /**
     * Null if {@code command} may be applied, else why not: a command sent with a session token must name a live
     * session (not revoked, not expired at the command's timestamp) of its author (of any user for {@code channel}).
     */
    static Result refusal(Transaction tx, Command command) {
        if (command.session() == null) {
            return null;
        }
        byte[] stored = tx.get(Keys.session(command.session()));
        if (stored == null) {
            return Result.error("field 'token': not a live session (unknown, or logged out)");
        }
        List<Object> session = Values.decode(stored, 2);
        String user = Values.stringAt(session, 0);
        if (command.timestampSeconds() >= Values.longAt(session, 1)) {
            return Result.error("field 'token': the session of '" + user + "' has expired; log in again");
        }
        ChatCommand operation = command.operation();
        if (!(operation instanceof ChatCommand.CreateChannel)
                && !ownerName(operation).equals(user)) {
            return Result.error("field 'token': the session is '" + user + "''s, not '" + ownerName(operation) + "''s");
        }
        return null;
    }

    /**
     * Null if the login may be recorded (and its password and session are then written), else why not: a user with a
     * stored password logs in only with a login that names it. A new session joins the user's list, from which the
     * sessions expired at {@code nowSeconds} (the command's time) and, beyond {@link #SESSIONS_PER_USER_MAX}, the
     * oldest are removed (and revoked).
     */
    static Result login(Transaction tx, ChatCommand.Login login, double nowSeconds) {
        byte[] passwordKey = Keys.password(login.user());
        byte[] stored = tx.get(passwordKey);
        if (stored != null && !Values.stringAt(Values.decode(stored, 1), 0).equals(login.passwordHash())) {
            return Result.error("field 'password': wrong or missing password for user '" + login.user() + "'");
        }
        if (stored == null && !login.passwordHash().isEmpty()) {
            tx.batch().put(passwordKey, Values.encode(login.passwordHash()));
        }
        if (!login.session().isEmpty()) {
            tx.batch().put(Keys.session(login.session()), Values.encode(login.user(), login.expiresAtSeconds()));
            List<Object> sessions = new ArrayList<>();
            List<Object> kept = sessions(tx, login.user());
            for (int i = 0; i < kept.size(); i += 2) {
                String hash = Values.stringAt(kept, i);
                if (nowSeconds < Values.longAt(kept, i + 1) && !hash.equals(login.session())) {
                    sessions.add(hash);
                    sessions.add(Values.longAt(kept, i + 1));
                } else if (!hash.equals(login.session())) {
                    tx.batch().delete(Keys.session(hash)); // expired: unusable already, and now gone
                }
            }
            while (sessions.size() >= 2 * SESSIONS_PER_USER_MAX) {
                tx.batch().delete(Keys.session((String) sessions.remove(0)));
                sessions.remove(0);
            }
            sessions.add(login.session());
            sessions.add(login.expiresAtSeconds());
            tx.batch().put(Keys.userSessions(login.user()), Values.encode(sessions.toArray()));
        }
        return null;
    }

    /** {@code user}'s sessions as stored: {@code [hash, expiresAtSeconds, ...]}, oldest first; empty if none. */
    static List<Object> sessions(Transaction tx, String user) {
        byte[] stored = tx.get(Keys.userSessions(user));
        return stored == null ? List.of() : Values.decodeList(stored);
    }

    /** Revokes a session of the logout's user. */
    static Result logout(Transaction tx, ChatCommand.Logout logout) {
        byte[] key = Keys.session(logout.session());
        byte[] stored = tx.get(key);
        if (stored == null || !Values.stringAt(Values.decode(stored, 2), 0).equals(logout.user())) {
            return Result.error("field 'token': not a live session of '" + logout.user() + "'");
        }
        tx.batch().delete(key);
        List<Object> sessions = new ArrayList<>(sessions(tx, logout.user()));
        for (int i = 0; i < sessions.size(); i += 2) {
            if (Values.stringAt(sessions, i).equals(logout.session())) {
                sessions.subList(i, i + 2).clear();
                break;
            }
        }
        if (sessions.isEmpty()) {
            tx.batch().delete(Keys.userSessions(logout.user()));
        } else {
            tx.batch().put(Keys.userSessions(logout.user()), Values.encode(sessions.toArray()));
        }
        return Result.ok(List.of());
    }
}
