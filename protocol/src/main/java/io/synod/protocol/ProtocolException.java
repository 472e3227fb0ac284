package io.synod.protocol;

import java.io.Serial;

/**
 * A request or reply that does not follow the wire protocol: not MessagePack, not an envelope,
 * a missing or mistyped field, a value over a limit. The message is written for the sender and
 * goes back verbatim in an {@code erro} reply, so it names the field and the rule.
 *
 * <p>This is an operating error (bad input from outside), never a programmer error.
 */
public final class ProtocolException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
