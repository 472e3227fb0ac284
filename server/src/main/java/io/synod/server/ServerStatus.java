package io.synod.server;

import java.util.List;

/**
 * What {@code /status} shows about the reference link, published by the event loop after every change (a volatile
 * reference: readers see a consistent record). The state machine's and the Paxos group's fields come from the
 * replication driver's own status.
 *
 * @param rank the rank the reference gave, 0 while unknown
 * @param referenceReachable whether the last reference request was answered
 * @param referenceList the last {@code list} the reference returned (name, rank, address maps)
 *     <p>Thread-safety: immutable.
 */
record ServerStatus(long rank, boolean referenceReachable, List<Object> referenceList) {}
