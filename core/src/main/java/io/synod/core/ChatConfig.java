package io.synod.core;

/**
 * The limits of the chat state machine, validated at construction.
 *
 * @param namesListMax most names one {@code users} or {@code channels} query returns (the first
 *     ones in key order)
 * @param historyPageMax most messages or logins one history query returns
 * @param snapshotScanPageEntries entries read per store scan while exporting a snapshot
 * @param serverClientsMax most server-given client ids ({@code ~...}, given to writes sent without ids) whose
 *     exactly-once window the state keeps; beyond it the one whose last write is the oldest is forgotten. Part of the
 *     replicated state's rules: every replica must use the same value
 *     <p>Thread-safety: immutable.
 */
public record ChatConfig(int namesListMax, int historyPageMax, int snapshotScanPageEntries, int serverClientsMax) {
    /** Server-given client ids kept by default: about 9 MiB of keys and windows at most (some 135 bytes each). */
    public static final int SERVER_CLIENTS_MAX_DEFAULT = 65_536;

    /** The defaults every Synod server uses. */
    public static final ChatConfig DEFAULT = new ChatConfig(10_000, 500, 4_096, SERVER_CLIENTS_MAX_DEFAULT);

    public ChatConfig {
        ChatInvariants.require(namesListMax > 0, "namesListMax must be positive");
        ChatInvariants.require(historyPageMax > 0, "historyPageMax must be positive");
        ChatInvariants.require(snapshotScanPageEntries > 0, "snapshotScanPageEntries must be positive");
        ChatInvariants.require(serverClientsMax > 0, "serverClientsMax must be positive");
    }

    /** The default {@code serverClientsMax}. */
    public ChatConfig(int namesListMax, int historyPageMax, int snapshotScanPageEntries) {
        this(namesListMax, historyPageMax, snapshotScanPageEntries, SERVER_CLIENTS_MAX_DEFAULT);
    }
}
