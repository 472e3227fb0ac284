package io.synod.messaging;

import java.io.Closeable;
import java.io.IOException;

/** Closing what a failure or a shutdown drops, where a failure to close changes nothing. */
public final class Closeables {
    private Closeables() {}

    /** Closes {@code closeable} (nothing if null); an {@link IOException} is ignored: it is dropped either way. */
    public static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            // dropped either way: a socket or selector that fails to close has nothing more to give
        }
    }
}
