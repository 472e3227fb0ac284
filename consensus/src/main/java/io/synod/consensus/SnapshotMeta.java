package io.synod.consensus;

import java.util.List;

/**
 * Describes a snapshot: it contains the effect of every slot up to and including {@code lastIncludedSlot}, and
 * {@code configs} tells which membership governs each slot after it.
 *
 * <p>Immutable; thread-safe.
 */
public record SnapshotMeta(long lastIncludedSlot, List<ConfigEntry> configs) {
    public SnapshotMeta {
        PaxosInvariants.require(lastIncludedSlot >= 1, "a snapshot covers at least slot 1");
        configs = List.copyOf(configs);
        PaxosInvariants.require(!configs.isEmpty(), "snapshot needs its membership");
    }
}
