package io.synod.server;

import io.synod.core.ChatCommand;
import io.synod.core.SocialReads;
import io.synod.protocol.Envelope;
import io.synod.protocol.Replies;
import io.synod.protocol.Request;
import io.synod.protocol.Services;

/**
 * The social network's requests for {@link ChatService}: the writes as chat commands (ordered through the log like
 * every write) and the reads answered from the applied state, with the reply fields docs/protocol.md gives.
 *
 * <p>Thread-safety: stateless.
 */
final class SocialService {
    private SocialService() {}

    /** The command of a social write, or null if {@code request} is not one. */
    static ChatCommand command(Request request) {
        return switch (request) {
            case Request.Post r -> new ChatCommand.Post(r.user(), r.message(), r.replyTo());
            case Request.Follow r -> new ChatCommand.Follow(r.user(), r.target());
            case Request.Unfollow r -> new ChatCommand.Unfollow(r.user(), r.target());
            case Request.NotificationsRead r -> new ChatCommand.NotificationsRead(r.user(), r.seq(), r.postIndex());
            case Request.ConversationRead r -> new ChatCommand.ConversationRead(r.user(), r.peer(), r.seq());
            default -> null;
        };
    }

    /** The reply to a social read over the applied state. */
    static Envelope read(Request.SocialRead r, SocialReads reads) {
        String service = r.service();
        SocialReads.Page page = switch (service) {
            case Services.FOLLOWERS -> reads.followers(r.user(), r.after(), r.limit());
            case Services.FOLLOWING -> reads.following(r.user(), r.after(), r.limit());
            case Services.PROFILE -> reads.profile(r.user(), r.before(), r.limit());
            case Services.TIMELINE -> reads.timeline(r.before(), r.limit());
            case Services.FEED -> reads.feed(r.user(), r.before(), r.limit());
            case Services.NOTIFICATIONS -> reads.notifications(r.user(), Long.parseLong(r.after()), r.limit());
            case Services.CONVERSATIONS -> reads.conversations(r.user(), r.before(), r.limit());
            default -> throw new IllegalArgumentException("not a social read: " + service);
        };
        if (!page.isOk()) {
            return Replies.error(service, page.errorText());
        }
        String items = switch (service) {
            case Services.FOLLOWERS, Services.FOLLOWING -> "users";
            case Services.NOTIFICATIONS -> "notifications";
            case Services.CONVERSATIONS -> "conversations";
            default -> "posts";
        };
        String next = switch (service) {
            case Services.FOLLOWERS, Services.FOLLOWING -> "next_after";
            case Services.NOTIFICATIONS -> "next_seq";
            default -> "next_before";
        };
        return Replies.socialPage(service, items, page.items(), next, page.next(), page.more(), page.extra());
    }
}
