package io.synod.clock;

import java.util.Objects;

/**
 * A correction applied to this server's {@link SoftwareClock}, for the interaction log (N7) and
 * metrics.
 *
 * <p>Thread-safety: immutable.
 *
 * @param method which protocol produced it
 * @param source the server whose clock was the reference (the coordinator; this server itself for
 *     the coordinator's own Berkeley correction)
 * @param deltaMillis the correction added to the target
 * @param roundTripMillis the round trip of the measurement behind it (0 for the coordinator's own)
 */
public record ClockCorrection(Method method, String source, long deltaMillis, long roundTripMillis) {

    /** Which protocol produced a correction. */
    public enum Method {
        /** A Berkeley round's correction (Gusella and Zatti 1989). */
        BERKELEY,
        /** The statement's every-10-messages {@code clock} request (Cristian 1989). */
        CRISTIAN
    }

    /** Rejects nulls. */
    public ClockCorrection {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(source, "source");
    }
}
