package io.synod.consensus;

/**
 * What an acceptor accepted for one slot: the highest-ballot proposal it voted for (Paxos Made Simple, section 2.2,
 * phase 2b). Reported in promises so a new leader can re-propose it.
 *
 * <p>Immutable; thread-safe.
 */
public record AcceptedEntry(long slot, Ballot ballot, Batch value) {
    public AcceptedEntry {
        PaxosInvariants.require(slot >= 1, "slots start at 1");
        PaxosInvariants.require(ballot != null && value != null, "ballot and value must not be null");
    }
}
