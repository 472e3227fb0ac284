package io.synod.consensus;

/**
 * A snapshot: metadata plus the application state as opaque bytes supplied by the driver.
 *
 * <p>Immutable by convention (the array must not be mutated); thread-safe.
 */
public record Snapshot(SnapshotMeta meta, byte[] state) {
    public Snapshot {
        PaxosInvariants.require(meta != null && state != null, "meta and state must not be null");
    }

    /** Convenience for {@code meta().lastIncludedSlot()}. */
    public long lastIncludedSlot() {
        return meta.lastIncludedSlot();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Snapshot s && s.meta.equals(meta) && java.util.Arrays.equals(s.state, state);
    }

    @Override
    public int hashCode() {
        return meta.hashCode() * 31 + java.util.Arrays.hashCode(state);
    }

    @Override
    public String toString() {
        return "Snapshot[" + meta.lastIncludedSlot() + ", " + state.length + "B]";
    }
}
