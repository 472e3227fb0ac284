package io.synod.client;

import io.synod.protocol.Publication;

/**
 * One publication handed to a {@link DeliveryListener}: a channel post or a private message,
 * and where it came from.
 *
 * @param publication the decoded publication; {@code seq() == 0} for servers that send none
 * @param source {@link Source#LIVE} from the proxy, {@link Source#HISTORY} fetched to fill a gap
 *     or to replay the recent messages of a channel just joined
 */
public record Delivery(Publication publication, Source source) {

    /** Where a delivery came from. */
    public enum Source {
        LIVE,
        HISTORY
    }

    /** The topic the publication belongs to: the channel, or the destination user. */
    public String topic() {
        return publication.topic();
    }

    public long seq() {
        return publication.seq();
    }
}
