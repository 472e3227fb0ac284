package io.synod.core;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One key-value pair of a {@link ChatStore}.
 *
 * <p>Thread-safety: immutable by convention (the arrays are not copied; nobody modifies them).
 */
public record StoreEntry(byte[] key, byte[] value) {
    public StoreEntry {
        ChatInvariants.require(key != null && key.length > 0, "key must be non-empty");
        ChatInvariants.require(value != null, "value must not be null");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof StoreEntry e && Arrays.equals(key, e.key) && Arrays.equals(value, e.value);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "StoreEntry[" + HexFormat.of().formatHex(key) + "=" + value.length + " bytes]";
    }
}
