package io.synod.server;

import io.synod.messaging.zmtp.ZmtpClient;
import io.synod.messaging.zmtp.ZmtpCodec;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's links of one kind to every broker (DEALERs) or every proxy (PUBs), used as one link: a proxy link set
 * sends each publication to every proxy, a broker link set takes requests from every broker in turn and sends each
 * reply back through the broker its request came in on.
 *
 * <p>With several brokers, {@link #receive} prefixes the request's first routing frame (the broker's identity of the
 * client connection) with the index of its link, one byte; {@link #send} strips it to pick the link. The reply
 * carries its request's routing frames back, so the index travels with it through parked reads and replication, and
 * the peer a request is counted under (rate limits, server-given ids) is one broker's connection, distinct across
 * brokers. With one broker nothing is prefixed: the frames are the broker's, as they always were.
 *
 * <p>Thread-safety: the server's event loop only.
 */
final class ClusterLinks implements AutoCloseable {
    private final List<ZmtpClient> links;
    /** Several brokers: requests carry their link's index (see the class comment). */
    private final boolean tagged;

    private final LeaderAnnouncer announcer = new LeaderAnnouncer();
    /** The link {@link #receive} looks at first, so that one busy broker does not starve another. */
    private int nextReceive;

    private ClusterLinks(List<ZmtpClient> links, boolean tagged) {
        this.links = links;
        this.tagged = tagged;
    }

    /** Opens one link of {@code type} per endpoint on {@code selector} (they connect and reconnect by themselves). */
    static ClusterLinks open(
            ZmtpCodec.SocketType type,
            List<String> endpoints,
            Selector selector,
            ZmtpClient.Config config,
            long nowNanos) {
        List<ZmtpClient> links = new ArrayList<>(endpoints.size());
        try {
            for (String endpoint : endpoints) {
                links.add(new ZmtpClient(type, endpoint, selector, config, nowNanos));
            }
        } catch (RuntimeException e) {
            links.forEach(ZmtpClient::close);
            throw e;
        }
        return new ClusterLinks(List.copyOf(links), type == ZmtpCodec.SocketType.DEALER && links.size() > 1);
    }

    /** The links, for the selector's owner to watch. */
    List<ZmtpClient> links() {
        return links;
    }

    void tick(long nowNanos) {
        links.forEach(link -> link.tick(nowNanos));
    }

    long nanosUntilTick(long nowNanos) {
        long soonest = Long.MAX_VALUE;
        for (ZmtpClient link : links) {
            soonest = Math.min(soonest, link.nanosUntilTick(nowNanos));
        }
        return soonest;
    }

    void flush() {
        links.forEach(ZmtpClient::flush);
    }

    /** The next request waiting on any link, the links taken in turn, or null if none waits. */
    List<byte[]> receive() {
        for (int i = 0; i < links.size(); i++) {
            int index = (nextReceive + i) % links.size();
            List<byte[]> frames = links.get(index).receive();
            if (frames != null) {
                nextReceive = (index + 1) % links.size();
                return tagged ? tag(index, frames) : frames;
            }
        }
        return null;
    }

    /**
     * Sends a reply back through the link its request came in on, or a publication to every link.
     *
     * @return false if it was dropped (by every link, for a publication)
     */
    boolean send(List<byte[]> frames) {
        if (tagged) {
            byte[] first = frames.get(0);
            int index = first.length == 0 ? -1 : first[0] & 0xFF;
            if (index < 0 || index >= links.size()) {
                return false; // not a reply to a request this link set received
            }
            List<byte[]> untagged = new ArrayList<>(frames);
            untagged.set(0, java.util.Arrays.copyOfRange(first, 1, first.length));
            return links.get(index).send(untagged);
        }
        boolean taken = false;
        for (ZmtpClient link : links) {
            taken |= link.send(frames);
        }
        return taken;
    }

    /**
     * Tells every broker whether this server leads ({@code leading}: its ballot, or null), as {@link LeaderAnnouncer}
     * decides: a broker of ours sends it the requests then; any other broker drops the message (LeaderMark).
     */
    void announceLeader(io.synod.consensus.Ballot leading, long nowNanos) {
        announcer.turn(leading, nowNanos, frames -> links.forEach(link -> link.send(frames)));
    }

    /** The request's first frame with the link's index before it; a message of one frame gets a frame of its own. */
    private static List<byte[]> tag(int index, List<byte[]> frames) {
        List<byte[]> tagged = new ArrayList<>(frames.size() + 1);
        if (frames.size() < 2) {
            tagged.add(new byte[] {(byte) index});
            tagged.addAll(frames);
            return tagged;
        }
        byte[] first = frames.get(0);
        byte[] prefixed = new byte[first.length + 1];
        prefixed[0] = (byte) index;
        System.arraycopy(first, 0, prefixed, 1, first.length);
        tagged.add(prefixed);
        tagged.addAll(frames.subList(1, frames.size()));
        return tagged;
    }

    @Override
    public void close() {
        links.forEach(ZmtpClient::close);
    }
}
