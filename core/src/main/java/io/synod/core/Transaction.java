package io.synod.core;

import java.util.Arrays;
import java.util.List;

/** Reads through the pending batch, so a command sees its own earlier writes. */
record Transaction(ChatStore store, StoreBatch batch) {
    /** Store entries read per scan by {@link #firstKey}. */
    private static final int FIRST_KEY_SCAN_PAGE_ENTRIES = 16;

    byte[] get(byte[] key) {
        return batch.touches(key) ? batch.pending(key) : store.get(key);
    }

    /**
     * The first key starting with {@code prefix} as the batch would leave the store, or null. Stored keys the
     * batch deletes are skipped (at most as many as the batch deletes, so the scan ends).
     */
    byte[] firstKey(byte[] prefix) {
        byte[] end = Keys.prefixEnd(prefix);
        byte[] pending = batch.firstPut(prefix, end);
        byte[] from = prefix;
        while (true) {
            byte[] to = pending == null ? end : pending;
            List<StoreEntry> page = store.scan(from, to, FIRST_KEY_SCAN_PAGE_ENTRIES);
            for (StoreEntry e : page) {
                if (!batch.touches(e.key())) {
                    return e.key(); // below the first pending put, and not deleted by the batch
                }
            }
            if (page.size() < FIRST_KEY_SCAN_PAGE_ENTRIES) {
                return pending;
            }
            byte[] last = page.get(page.size() - 1).key();
            from = Arrays.copyOf(last, last.length + 1); // the smallest key after it
        }
    }
}
