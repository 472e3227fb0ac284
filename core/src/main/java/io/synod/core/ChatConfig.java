package io.synod.core;

/**
 * The limits of the chat state machine, validated at construction.
 *
 * @param namesListMax most names one {@code users} or {@code channels} query returns (the first
 *     ones in key order)
 * @param historyPageMax most messages or logins one history query returns
 * @param snapshotScanPageEntries entries read per store scan while exporting a snapshot
 *     <p>Thread-safety: immutable.
 */
public record ChatConfig(int namesListMax, int historyPageMax, int snapshotScanPageEntries) {
    /** The defaults every Synod server uses. */
    public static final ChatConfig DEFAULT = new ChatConfig(10_000, 500, 4_096);

    public ChatConfig {
        Invariants.require(namesListMax > 0, "namesListMax must be positive");
        Invariants.require(historyPageMax > 0, "historyPageMax must be positive");
        Invariants.require(snapshotScanPageEntries > 0, "snapshotScanPageEntries must be positive");
    }
}
