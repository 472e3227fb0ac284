package io.synod.messaging.peer;

import io.synod.protocol.Envelope;
import java.util.List;
import java.util.Objects;

/**
 * One message received on a peer link.
 *
 * <p>Thread-safety: immutable (the routing frames are not copied; nobody writes them).
 *
 * @param source the sender: its server name (the DEALER identity it connected with, or the peer
 *     whose DEALER the reply came back on); for a foreign REQ peer, its identity in hex
 * @param envelope the decoded message; its {@code clock} is already merged into this process's
 *     Lamport clock
 * @param routing the ROUTER routing frames to answer on the same connection ({@link
 *     PeerLinks#reply}); empty when the message came back on one of our DEALERs (it is a reply)
 */
public record PeerInbound(String source, Envelope envelope, List<byte[]> routing) {

    /** Rejects nulls. */
    public PeerInbound {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(envelope, "envelope");
        routing = List.copyOf(routing);
    }

    /** @return true if it arrived on our ROUTER, so it can be answered with {@link PeerLinks#reply} */
    public boolean arrivedOnRouter() {
        return !routing.isEmpty();
    }
}
