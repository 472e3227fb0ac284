package io.synod.core;

import io.synod.protocol.Names;
import io.synod.protocol.Publication;
import io.synod.protocol.Social;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The social network's rules, applied by {@link ChatStateMachine} inside its transaction (so exactly-once, the
 * digest and the atomic batch are the machine's):
 *
 * <ul>
 *   <li>post: an error if the author never logged in, the text is blank or over {@link Social#POST_CHARS_MAX}, or
 *       {@code replyTo} is not empty and not the id of a post. Stored under its author only (and one timeline key):
 *       no write per follower (docs/decisions/0005-social-fan-out.md). Published on the author's post topic with
 *       the author's gap-free post {@code seq};
 *   <li>follow: an error if either user is unknown, for oneself, if already following, or past {@link
 *       Social#FOLLOWING_MAX}; notifies the followed user ({@code follower});
 *   <li>unfollow: an error if either user is unknown or the user does not follow the target;
 *   <li>notifications_read: an error for an unknown user, a {@code seq} above its last notification or a {@code
 *       postIndex} not below the command's own index; read marks only move forward;
 *   <li>conversation_read: an error for an unknown user or peer, no conversation, or a {@code seq} above its last
 *       message; the read mark only moves forward;
 *   <li>mentions: a post or channel message notifies each existing user it names as {@code @name} (the name up to
 *       the next whitespace, without trailing {@code .,;:!?)}), except its author, at most {@link
 *       Social#MENTIONS_PER_TEXT_MAX} distinct users per text;
 *   <li>a private message notifies its recipient ({@code message}, unless sent to oneself) and moves the
 *       conversation to the top of both users' {@code conversations}; the sender has read it.
 * </ul>
 *
 * <p>Every notification takes the recipient's next {@code seq} (gap-free, decided in the log, so equal on every
 * server). A command writes at most {@code 1 + MENTIONS_PER_TEXT_MAX} notifications.
 *
 * <p>Thread-safety: stateless.
 */
final class SocialRules {
    static final String FOLLOWER = "follower";
    static final String MENTION = "mention";
    static final String MESSAGE = "message";
    private static final String TRAILING_PUNCTUATION = ".,;:!?)";

    private SocialRules() {}

    static Result execute(Transaction tx, Command command, ChatCommand.SocialCommand operation) {
        if (tx.get(Keys.user(operation.user())) == null) {
            return Result.error("user '" + operation.user() + "' has never logged in");
        }
        return switch (operation) {
            case ChatCommand.Post p -> post(tx, command, p);
            case ChatCommand.Follow f -> follow(tx, command, f);
            case ChatCommand.Unfollow u -> unfollow(tx, u);
            case ChatCommand.NotificationsRead r -> notificationsRead(tx, command, r);
            case ChatCommand.ConversationRead r -> conversationRead(tx, r);
        };
    }

    private static Result post(Transaction tx, Command command, ChatCommand.Post post) {
        if (post.message().isBlank()) {
            return Result.error("field 'message' must not be blank");
        }
        int chars = post.message().codePointCount(0, post.message().length());
        if (chars > Social.POST_CHARS_MAX) {
            return Result.error("field 'message' is " + chars + " characters, the limit is " + Social.POST_CHARS_MAX);
        }
        if (!post.replyTo().isEmpty() && !isPost(tx, post.replyTo())) {
            return Result.error("field 'reply_to': '" + post.replyTo() + "' is not the id of a post");
        }
        SocialRecord author = social(tx, post.user());
        long seq = author.posts() + 1;
        Publication.SocialPost published = new Publication.SocialPost(
                post.user(),
                post.message(),
                post.replyTo(),
                command.timestampSeconds(),
                command.clock(),
                seq,
                postId(command.index()),
                command.index());
        tx.batch().put(Keys.social(post.user()), author.withPosts(seq).encode());
        tx.batch().put(Keys.authorPost(post.user(), command.index()), Values.socialPost(published));
        tx.batch().put(Keys.timeline(command.index()), Values.encode(post.user()));
        return Result.ok(withMentions(tx, command, published, post.user(), post.message(), published.id(), ""));
    }

    /** The id of the post written by the command at {@code index}: {@code <index>-0}, like a message id. */
    static String postId(long index) {
        return index + "-0";
    }

    private static boolean isPost(Transaction tx, String id) {
        if (!id.endsWith("-0") || id.length() < 3 || id.length() > 21) {
            return false;
        }
        String digits = id.substring(0, id.length() - 2);
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return false;
            }
        }
        long index;
        try {
            index = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return false;
        }
        return index > 0 && tx.get(Keys.timeline(index)) != null;
    }

    private static Result follow(Transaction tx, Command command, ChatCommand.Follow follow) {
        String user = follow.user();
        String target = follow.target();
        if (tx.get(Keys.user(target)) == null) {
            return Result.error("user '" + target + "' does not exist");
        }
        if (user.equals(target)) {
            return Result.error("user '" + user + "' cannot follow themselves");
        }
        if (tx.get(Keys.following(user, target)) != null) {
            return Result.error("user '" + user + "' already follows '" + target + "'");
        }
        SocialRecord follower = social(tx, user);
        if (follower.following() >= Social.FOLLOWING_MAX) {
            return Result.error(
                    "user '" + user + "' already follows " + Social.FOLLOWING_MAX + " users, the most one may follow");
        }
        tx.batch().put(Keys.following(user, target), Values.encode(command.index()));
        tx.batch().put(Keys.follower(target, user), Values.encode(command.index()));
        tx.batch()
                .put(
                        Keys.social(user),
                        follower.withFollowing(follower.following() + 1).encode());
        SocialRecord followed = social(tx, target);
        tx.batch()
                .put(
                        Keys.social(target),
                        followed.withFollowers(followed.followers() + 1).encode());
        return Result.ok(List.of(notify(tx, command, 0, target, FOLLOWER, user, "", "", "")));
    }

    private static Result unfollow(Transaction tx, ChatCommand.Unfollow unfollow) {
        String user = unfollow.user();
        String target = unfollow.target();
        if (tx.get(Keys.user(target)) == null) {
            return Result.error("user '" + target + "' does not exist");
        }
        if (tx.get(Keys.following(user, target)) == null) {
            return Result.error("user '" + user + "' does not follow '" + target + "'");
        }
        tx.batch().delete(Keys.following(user, target));
        tx.batch().delete(Keys.follower(target, user));
        SocialRecord follower = social(tx, user);
        tx.batch()
                .put(
                        Keys.social(user),
                        follower.withFollowing(follower.following() - 1).encode());
        SocialRecord followed = social(tx, target);
        tx.batch()
                .put(
                        Keys.social(target),
                        followed.withFollowers(followed.followers() - 1).encode());
        return Result.ok(List.of());
    }

    private static Result notificationsRead(Transaction tx, Command command, ChatCommand.NotificationsRead read) {
        SocialRecord record = social(tx, read.user());
        if (read.seq() > record.notificationSeq()) {
            return Result.error("field 'seq' is " + read.seq() + ", above the last notification of user '" + read.user()
                    + "' (" + record.notificationSeq() + ")");
        }
        if (read.postIndex() >= command.index()) {
            return Result.error(
                    "field 'post_index' is " + read.postIndex() + ", not below this write's index " + command.index());
        }
        tx.batch()
                .put(
                        Keys.social(read.user()),
                        record.withRead(
                                        Math.max(record.readSeq(), read.seq()),
                                        Math.max(record.postsReadIndex(), read.postIndex()))
                                .encode());
        return Result.ok(List.of());
    }

    private static Result conversationRead(Transaction tx, ChatCommand.ConversationRead read) {
        if (tx.get(Keys.user(read.peer())) == null) {
            return Result.error("user '" + read.peer() + "' does not exist");
        }
        byte[] sideKey = Keys.conversationSide(read.user(), read.peer());
        byte[] side = tx.get(sideKey);
        if (side == null) {
            return Result.error("user '" + read.user() + "' has no conversation with '" + read.peer() + "'");
        }
        long last = Values.longAt(Values.decode(tx.get(Keys.conversation(read.user(), read.peer())), 1), 0);
        if (read.seq() > last) {
            return Result.error(
                    "field 'seq' is " + read.seq() + ", above the last message of the conversation (" + last + ")");
        }
        List<Object> v = Values.decode(side, 2);
        tx.batch().put(sideKey, Values.encode(Values.longAt(v, 0), Math.max(Values.longAt(v, 1), read.seq())));
        return Result.ok(List.of());
    }

    /**
     * {@code first} followed by the mention notifications of {@code text} by {@code author} (ordinals 1, 2...).
     *
     * @param channel the channel of a channel message, empty for a post
     */
    static List<Publication> withMentions(
            Transaction tx,
            Command command,
            Publication first,
            String author,
            String text,
            String ref,
            String channel) {
        List<Publication> publications = new ArrayList<>();
        publications.add(first);
        for (String user : mentioned(text)) {
            if (!user.equals(author) && tx.get(Keys.user(user)) != null) {
                publications.add(
                        notify(tx, command, publications.size(), user, MENTION, author, ref, channel, excerpt(text)));
                if (publications.size() > Social.MENTIONS_PER_TEXT_MAX) {
                    break;
                }
            }
        }
        return publications;
    }

    /** The distinct names {@code text} mentions as {@code @name}, in order of appearance. */
    static Set<String> mentioned(String text) {
        Set<String> names = new LinkedHashSet<>();
        int i = 0;
        while ((i = text.indexOf('@', i)) >= 0) {
            boolean atWordStart = i == 0 || Character.isWhitespace(text.codePointBefore(i));
            int end = i + 1;
            while (end < text.length() && !Character.isWhitespace(text.codePointAt(end))) {
                end += Character.charCount(text.codePointAt(end));
            }
            String name = text.substring(i + 1, end);
            while (!name.isEmpty() && TRAILING_PUNCTUATION.indexOf(name.charAt(name.length() - 1)) >= 0) {
                name = name.substring(0, name.length() - 1);
            }
            if (atWordStart && !name.isEmpty() && name.indexOf('\0') < 0) {
                names.add(Names.normalize(name));
            }
            i = end;
        }
        return names;
    }

    /**
     * The effects of a private message besides the inbox and the conversation ({@link ChatStateMachine}): both users'
     * conversation lists, and the recipient's notification. Touches two owners, as the message itself does.
     *
     * @return {@code message} followed by the notification, if any
     */
    static List<Publication> onPrivateMessage(Transaction tx, Command command, Publication.DirectMessage message) {
        touchConversation(tx, command.index(), message.dst(), message.src(), -1);
        touchConversation(tx, command.index(), message.src(), message.dst(), message.conversationSeq());
        if (message.src().equals(message.dst())) {
            return List.of(message);
        }
        return List.of(
                message,
                notify(
                        tx,
                        command,
                        1,
                        message.dst(),
                        MESSAGE,
                        message.src(),
                        message.id(),
                        "",
                        excerpt(message.message())));
    }

    /** Moves the conversation to the top of {@code user}'s list; {@code readSeq >= 0} also sets its read mark. */
    private static void touchConversation(Transaction tx, long index, String user, String peer, long readSeq) {
        byte[] sideKey = Keys.conversationSide(user, peer);
        byte[] side = tx.get(sideKey);
        long read = 0;
        if (side != null) {
            List<Object> v = Values.decode(side, 2);
            tx.batch().delete(Keys.conversationByRecency(user, Values.longAt(v, 0), peer));
            read = Values.longAt(v, 1);
        }
        tx.batch().put(Keys.conversationByRecency(user, index, peer), Values.encode());
        tx.batch().put(sideKey, Values.encode(index, readSeq >= 0 ? readSeq : read));
    }

    private static Publication.Notification notify(
            Transaction tx,
            Command command,
            int ordinal,
            String user,
            String kind,
            String actor,
            String ref,
            String channel,
            String text) {
        SocialRecord record = social(tx, user);
        long seq = record.notificationSeq() + 1;
        Publication.Notification n = new Publication.Notification(
                user,
                kind,
                actor,
                ref,
                channel,
                text,
                command.timestampSeconds(),
                command.clock(),
                seq,
                command.index() + "-" + ordinal,
                command.index());
        tx.batch().put(Keys.notification(user, seq), Values.notification(n));
        tx.batch().put(Keys.social(user), record.withNotificationSeq(seq).encode());
        return n;
    }

    private static String excerpt(String text) {
        if (text.codePointCount(0, text.length()) <= Social.EXCERPT_CHARS_MAX) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, Social.EXCERPT_CHARS_MAX));
    }

    private static SocialRecord social(Transaction tx, String user) {
        return SocialRecord.read(tx.get(Keys.social(user)));
    }
}
