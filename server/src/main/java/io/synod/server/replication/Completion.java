package io.synod.server.replication;

import io.synod.core.Result;

/**
 * A write or read barrier this server accepted, done: what the caller said was waiting for it ({@link
 * ReplicationDriver#submit}, {@link ReplicationDriver#submitBarrier}), handed back as it was given.
 *
 * @param <T> the caller's type of what waits (the server's is a sealed interface: a write's reply or a read's)
 * @param waiting what the caller gave with the write or barrier
 * @param result the state machine's outcome of the write; for a barrier, an {@code OK} without publications
 * @param index the chat command index the write was applied at; for a barrier, the applied index when it passed
 */
public record Completion<T>(T waiting, Result result, long index) {}
