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
    FANOUT;

    /** The name used on the command line and in result files. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
