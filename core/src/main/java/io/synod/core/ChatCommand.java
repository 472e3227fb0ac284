package io.synod.core;

/**
 * A state-changing chat operation, one record per statement service that writes. Commands are
 * values: they carry everything {@link ChatStateMachine#apply(Command)} needs, so applying the same
 * commands in the same order gives the same state on every replica.
 *
 * <p>The adapters validate wire input (names, lengths) with the protocol's rules before building a
 * command; the constructors only check what the state machine itself relies on (non-empty, no
 * NUL character, since NUL separates key parts).
 *
 * <p>Thread-safety: immutable.
 */
public sealed interface ChatCommand
        permits ChatCommand.Login,
                ChatCommand.Logout,
                ChatCommand.CreateChannel,
                ChatCommand.Publish,
                ChatCommand.SendMessage,
                ChatCommand.SocialCommand {

    /** The wire service this command comes from, e.g. {@code login}. */
    String service();

    /**
     * {@code login}: records one login of {@code user}; every login is kept with its timestamp ({@link AccountRules}).
     *
     * @param passwordHash empty, or the stored form of the password the accepting server checked (the user's stored
     *     hash) or hashed (a first password, with a new salt): the core never sees a password
     * @param session empty, or the hash of the new session's token, valid until {@code expiresAtSeconds}
     * @param expiresAtSeconds when the session expires (whole epoch seconds, log time); 0 without a session
     */
    record Login(String user, String passwordHash, String session, long expiresAtSeconds) implements ChatCommand {
        public Login {
            ChatInvariants.requireKeyName("user", user);
            ChatInvariants.require(passwordHash != null && session != null, "passwordHash and session not null");
            ChatInvariants.require(expiresAtSeconds >= 0, "expiresAtSeconds must not be negative");
        }

        /** A statement login: no password, no session. */
        public Login(String user) {
            this(user, "", "", 0);
        }

        /** Whether this is a statement login (it encodes as it always did). */
        boolean plain() {
            return passwordHash.isEmpty() && session.isEmpty() && expiresAtSeconds == 0;
        }

        @Override
        public String service() {
            return "login";
        }
    }

    /** Extension {@code logout}: revokes {@code user}'s session whose token hashes to {@code session}. */
    record Logout(String user, String session) implements ChatCommand {
        public Logout {
            ChatInvariants.requireKeyName("user", user);
            ChatInvariants.requireKeyName("session", session);
        }

        @Override
        public String service() {
            return "logout";
        }
    }

    /** {@code channel}: creates {@code channel}; an error if it exists. */
    record CreateChannel(String channel) implements ChatCommand {
        public CreateChannel {
            ChatInvariants.requireKeyName("channel", channel);
        }

        @Override
        public String service() {
            return "channel";
        }
    }

    /** {@code publish}: posts {@code message} on {@code channel} as {@code user}. */
    record Publish(String user, String channel, String message) implements ChatCommand {
        public Publish {
            ChatInvariants.requireKeyName("user", user);
            ChatInvariants.requireKeyName("channel", channel);
            ChatInvariants.require(message != null, "message must not be null");
        }

        @Override
        public String service() {
            return "publish";
        }
    }

    /** {@code message}: a private message from {@code src} to {@code dst}. */
    record SendMessage(String src, String dst, String message) implements ChatCommand {
        public SendMessage {
            ChatInvariants.requireKeyName("src", src);
            ChatInvariants.requireKeyName("dst", dst);
            ChatInvariants.require(message != null, "message must not be null");
        }

        @Override
        public String service() {
            return "message";
        }
    }

    /** The social network's writes ({@link SocialRules}); each is sent by, and owned by, {@link #user()}. */
    sealed interface SocialCommand extends ChatCommand
            permits Post, Follow, Unfollow, NotificationsRead, ConversationRead {
        /** The user who sends the write (its author). */
        String user();
    }

    /** {@code post}: a public post by {@code user}; {@code replyTo} is the id of an existing post, or empty. */
    record Post(String user, String message, String replyTo) implements SocialCommand {
        public Post {
            ChatInvariants.requireKeyName("user", user);
            ChatInvariants.require(message != null && replyTo != null, "message and replyTo must not be null");
        }

        @Override
        public String service() {
            return "post";
        }
    }

    /** {@code follow}: {@code user} follows {@code target}. */
    record Follow(String user, String target) implements SocialCommand {
        public Follow {
            ChatInvariants.requireKeyName("user", user);
            ChatInvariants.requireKeyName("target", target);
        }

        @Override
        public String service() {
            return "follow";
        }
    }

    /** {@code unfollow}: {@code user} stops following {@code target}. */
    record Unfollow(String user, String target) implements SocialCommand {
        public Unfollow {
            ChatInvariants.requireKeyName("user", user);
            ChatInvariants.requireKeyName("target", target);
        }

        @Override
        public String service() {
            return "unfollow";
        }
    }

    /**
     * {@code notifications_read}: {@code user} has read its notifications up to {@code seq} and the posts of the users
     * it follows up to log index {@code postIndex} (0: posts unchanged).
     */
    record NotificationsRead(String user, long seq, long postIndex) implements SocialCommand {
        public NotificationsRead {
            ChatInvariants.requireKeyName("user", user);
            ChatInvariants.require(seq >= 0 && postIndex >= 0, "seq and postIndex must not be negative");
        }

        @Override
        public String service() {
            return "notifications_read";
        }
    }

    /** {@code conversation_read}: {@code user} has read its conversation with {@code peer} up to {@code seq}. */
    record ConversationRead(String user, String peer, long seq) implements SocialCommand {
        public ConversationRead {
            ChatInvariants.requireKeyName("user", user);
            ChatInvariants.requireKeyName("peer", peer);
            ChatInvariants.require(seq >= 0, "seq must not be negative");
        }

        @Override
        public String service() {
            return "conversation_read";
        }
    }
}
