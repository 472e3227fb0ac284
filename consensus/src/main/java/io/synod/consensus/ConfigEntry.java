package io.synod.consensus;

/**
 * A membership that governs every slot from {@code fromSlot} on (until the next entry). A reconfiguration decided in
 * slot i produces an entry with {@code fromSlot = i + alpha}, alpha = {@link PaxosConfig#inflightSlotsMax()}.
 *
 * <p>Immutable; thread-safe.
 */
public record ConfigEntry(long fromSlot, Membership membership) {
    public ConfigEntry {
        PaxosInvariants.require(fromSlot >= 1, "fromSlot starts at 1");
        PaxosInvariants.require(membership != null, "membership must not be null");
    }
}
