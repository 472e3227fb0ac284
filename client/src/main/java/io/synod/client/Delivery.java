package io.synod.client;

import io.synod.protocol.Publication;

/**
 * One publication handed to a {@link DeliveryListener}: a channel post or a private message,
 * and where it came from.
 *
 * @param publication the decoded publication; {@code seq() == 0} for servers that send none
 * @param source {@link Source#LIVE} from the proxy, {@link Source#HISTORY} fetched to fill a gap
 *     or to replay the recent messages of a channel just joined, {@link Source#CORRECTION} the
 *     history's copy of a seq delivered before with other content
 */
public record Delivery(Publication publication, Source source) {

    /** Where a delivery came from. */
    public enum Source {
        LIVE,
        HISTORY,
        /**
         * The server's copy of a {@code seq} already delivered with other content: a publication
         * not made by the servers (anyone can publish into the proxy) got there first. It replaces
         * the earlier delivery of this {@code seq}.
         */
        CORRECTION
    }

    /** The topic the publication belongs to: the channel, or the destination user. */
    public String topic() {
        return publication.topic();
    }

    public long seq() {
        return publication.seq();
    }
}
