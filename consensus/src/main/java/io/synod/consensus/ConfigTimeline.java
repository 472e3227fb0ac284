package io.synod.consensus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which membership governs which slot. A pure function of the decided log: every replica that processed the same
 * decided prefix has the same timeline. Not thread-safe: owned by one {@link PaxosReplica}.
 */
final class ConfigTimeline {
    private final TreeMap<Long, Membership> bySlot = new TreeMap<>();

    ConfigTimeline(List<ConfigEntry> entries) {
        PaxosInvariants.require(!entries.isEmpty(), "a timeline needs at least one entry");
        for (ConfigEntry entry : entries) {
            bySlot.put(entry.fromSlot(), entry.membership());
        }
    }

    /** The membership that governs {@code slot}. */
    Membership at(long slot) {
        Map.Entry<Long, Membership> entry = bySlot.floorEntry(slot);
        return entry != null ? entry.getValue() : bySlot.firstEntry().getValue();
    }

    /** The newest membership known (possibly not yet in effect). */
    Membership latest() {
        return bySlot.lastEntry().getValue();
    }

    /** Slot from which the newest membership governs. */
    long latestFromSlot() {
        return bySlot.lastKey();
    }

    /** Records that {@code membership} governs from {@code fromSlot} on. */
    void add(long fromSlot, Membership membership) {
        PaxosInvariants.check(fromSlot > bySlot.lastKey(), "config entries must be added in slot order");
        bySlot.put(fromSlot, membership);
    }

    /** Distinct memberships governing the slots in [firstSlot, lastSlot]. */
    List<Membership> between(long firstSlot, long lastSlot) {
        List<Membership> result = new ArrayList<>();
        result.add(at(firstSlot));
        for (Membership m : bySlot.subMap(firstSlot, false, lastSlot, true).values()) {
            if (!result.contains(m)) {
                result.add(m);
            }
        }
        return result;
    }

    /** Entries needed to answer {@link #at} for every slot >= {@code firstSlot}; used in snapshot metadata. */
    List<ConfigEntry> from(long firstSlot) {
        List<ConfigEntry> result = new ArrayList<>();
        result.add(new ConfigEntry(firstSlot, at(firstSlot)));
        bySlot.tailMap(firstSlot, false).forEach((slot, m) -> result.add(new ConfigEntry(slot, m)));
        return result;
    }

    /** Drops entries that no longer govern any slot >= {@code firstSlot}. */
    void pruneBefore(long firstSlot) {
        List<ConfigEntry> keep = from(firstSlot);
        bySlot.clear();
        keep.forEach(e -> bySlot.put(e.fromSlot(), e.membership()));
    }
}
