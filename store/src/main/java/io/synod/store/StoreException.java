package io.synod.store;

import java.io.Serial;

/**
 * The embedded store failed (disk full, corruption, directory locked by another process). The
 * owner cannot continue safely with a state it could not persist: it should stop the process.
 */
public final class StoreException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
