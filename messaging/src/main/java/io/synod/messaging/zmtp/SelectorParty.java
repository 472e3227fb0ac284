package io.synod.messaging.zmtp;

import java.nio.channels.SelectionKey;

/**
 * A user of an event loop's one {@link java.nio.channels.Selector} besides the loop's own links (a ZeroMQ link, a
 * listener and its connections): every key it registers carries an attachment of this type, which the loop's wait
 * hands back to it, and the wait ends as soon as one it {@linkplain #hasReceived watches} holds received input. One
 * selector, one thread: a message wakes no other thread.
 *
 * <p>Not thread-safe: called only by the thread that owns the selector.
 */
public interface SelectorParty {
    /** Handles {@code key}, selected by the loop's wait (its attachment is this party). */
    void handle(SelectionKey key, long nowNanos);

    /** Whether a received message waits for the owner (the loop's wait then returns at once). */
    boolean hasReceived();
}
