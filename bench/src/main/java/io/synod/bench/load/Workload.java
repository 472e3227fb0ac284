package io.synod.bench.load;

import java.util.Locale;

/** What the bench clients send, and what the subscribers listen to. */
public enum Workload {
    /** Every client publishes to one of the channels (client i to channel i mod channels). */
    PUBLISH,
    /** Private messages ({@code message}) from each client to other bench users. */
    PRIVATE,
    /** Reads ({@code history}, {@code channels}, {@code users}) with probability read-ratio, else publishes. */
    MIXED,
    /** One channel; every client publishes to it; many subscribers receive every message. */
    FANOUT,
    /**
     * Posts, follows and unfollows, feed, timeline and notifications reads among the bench users, by
     * {@link SocialMix} weights; subscribers listen to the users' post topics.
     */
    SOCIAL,
    /**
     * Many users follow one author, then the author posts while the clients publish to channels: the
     * post's time to be accepted and the others' latency around it ({@link CelebrityRun}).
     */
    CELEBRITY,
    /**
     * No cluster: the bench starts a proxy of its own ({@link io.synod.messaging.Forwarder}, XSUB/XPUB) and
     * publishes into it what servers publish on one channel, as fast as many subscribers keep up
     * ({@link ProxyFanoutPublisher}): the proxy's fan-out is measured, not consensus.
     */
    PROXY_FANOUT;

    /** The name used on the command line and in result files ({@code proxy-fanout}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
