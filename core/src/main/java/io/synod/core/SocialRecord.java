package io.synod.core;

import java.util.List;

/**
 * A user's social counts, stored under {@code S user} ({@link Keys}).
 *
 * @param posts the user's posts so far: the {@code seq} of its last post
 * @param followers how many users follow it
 * @param following how many users it follows
 * @param notificationSeq the {@code seq} of its last notification (gap-free, from 1)
 * @param readSeq its notifications are read up to this seq ({@code <= notificationSeq})
 * @param postsReadIndex the posts of the users it follows are read up to this log index
 *     <p>Thread-safety: immutable.
 */
record SocialRecord(
        long posts, long followers, long following, long notificationSeq, long readSeq, long postsReadIndex) {
    static final SocialRecord EMPTY = new SocialRecord(0, 0, 0, 0, 0, 0);

    static SocialRecord read(byte[] value) {
        if (value == null) {
            return EMPTY;
        }
        List<Object> v = Values.decode(value, 6);
        return new SocialRecord(
                Values.longAt(v, 0),
                Values.longAt(v, 1),
                Values.longAt(v, 2),
                Values.longAt(v, 3),
                Values.longAt(v, 4),
                Values.longAt(v, 5));
    }

    byte[] encode() {
        return Values.encode(posts, followers, following, notificationSeq, readSeq, postsReadIndex);
    }

    SocialRecord withPosts(long n) {
        return new SocialRecord(n, followers, following, notificationSeq, readSeq, postsReadIndex);
    }

    SocialRecord withFollowers(long n) {
        return new SocialRecord(posts, n, following, notificationSeq, readSeq, postsReadIndex);
    }

    SocialRecord withFollowing(long n) {
        return new SocialRecord(posts, followers, n, notificationSeq, readSeq, postsReadIndex);
    }

    SocialRecord withNotificationSeq(long n) {
        return new SocialRecord(posts, followers, following, n, readSeq, postsReadIndex);
    }

    SocialRecord withRead(long seq, long postIndex) {
        return new SocialRecord(posts, followers, following, notificationSeq, seq, postIndex);
    }

    /** Stored notifications not read yet. */
    long unread() {
        return notificationSeq - readSeq;
    }
}
