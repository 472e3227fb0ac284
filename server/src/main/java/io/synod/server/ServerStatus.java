package io.synod.server;

import java.util.List;

/**
 * What {@code /status} shows about the state machine and the reference link, published by the
 * event loop after every change (a volatile reference: readers see a consistent record).
 *
 * @param rank the rank the reference gave, 0 while unknown
 * @param appliedIndex the last applied log index
 * @param stateDigest the state digest in hex
 * @param referenceReachable whether the last reference request was answered
 * @param referenceList the last {@code list} the reference returned (name, rank, address maps)
 *     <p>Thread-safety: immutable.
 */
record ServerStatus(
        long rank, long appliedIndex, String stateDigest, boolean referenceReachable, List<Object> referenceList) {}
