package io.synod.messaging.peer;

import io.synod.protocol.Envelope;
import java.util.List;
import java.util.Objects;

/**
 * One message received on a peer link.
 *
 * <p>Thread-safety: immutable (the routing frames are not copied; nobody writes them).
 *
 * @param source the sender: its server name (the DEALER identity or hello name it connected with, or
 *     the peer whose link the answer came back on); for a foreign REQ peer, its identity in hex
 * @param envelope the decoded message; its {@code clock} is already merged into this process's
 *     Lamport clock
 * @param routing how to answer on the same connection: the ROUTER routing frames ({@link
 *     PeerLinks#reply}) or the accepted connection's number ({@link StreamPeerLinks#reply}); empty when
 *     the message came back on one of our own links (it is an answer)
 */
public record PeerInbound(String source, Envelope envelope, List<byte[]> routing) {

    /** Rejects nulls. */
    public PeerInbound {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(envelope, "envelope");
        routing = List.copyOf(routing);
    }

    /**
     * @return true if it arrived on a link the sender opened to us (our ROUTER, or a connection we accepted),
     *     so {@code reply} answers on that link
     */
    public boolean arrivedOnAcceptedLink() {
        return !routing.isEmpty();
    }
}
