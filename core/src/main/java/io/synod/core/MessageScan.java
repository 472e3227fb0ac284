package io.synod.core;

import io.synod.protocol.Publication;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Every message users wrote in the applied state, read lazily: the channel messages ({@code P}), then the private
 * messages ({@code W}: each once, from its conversation, not again from the recipient's inbox), then the posts
 * ({@code O}), each range in key order, {@link #SCAN_PAGE_ENTRIES} store entries at a time. A server feeds it to its
 * search index when it rebuilds the index from its store, so at most one page is held at once whatever the state
 * holds. Each message is its stored publication, whose {@code index} is the chat index of the command that wrote it.
 *
 * <p>A write between two pages (the owner applying commands) may or may not be seen: the reader adds what it applies
 * anyway, and a message is identified by its index, so seeing it twice is harmless.
 *
 * <p>Thread-safety: not thread-safe; read from the thread that owns the state machine.
 */
final class MessageScan implements Iterator<Publication> {
    /** Store entries read per scan: bounds what the scan holds (entries are at most a few KiB each). */
    static final int SCAN_PAGE_ENTRIES = 1_024;

    private static final List<Byte> RANGES = List.of(Keys.POST, Keys.CONVERSATION_MESSAGE, Keys.AUTHOR_POST);

    private final ChatStore store;
    private final ArrayDeque<StoreEntry> buffered = new ArrayDeque<>();
    private int range;
    /** The first key the next scan of the current range reads; null before the range's first scan. */
    private byte[] from;

    private boolean rangeExhausted;

    MessageScan(ChatStore store) {
        this.store = store;
    }

    @Override
    public boolean hasNext() {
        while (buffered.isEmpty() && range < RANGES.size()) {
            if (rangeExhausted) {
                range++;
                from = null;
                rangeExhausted = false;
                continue;
            }
            byte[] tag = Keys.tagOnly(RANGES.get(range));
            List<StoreEntry> page = store.scan(from == null ? tag : from, Keys.prefixEnd(tag), SCAN_PAGE_ENTRIES);
            buffered.addAll(page);
            rangeExhausted = page.size() < SCAN_PAGE_ENTRIES;
            if (!page.isEmpty()) {
                byte[] last = page.get(page.size() - 1).key();
                from = Arrays.copyOf(last, last.length + 1); // the first key after it
            }
        }
        return !buffered.isEmpty();
    }

    @Override
    public Publication next() {
        if (!hasNext()) {
            throw new NoSuchElementException("every message was read");
        }
        StoreEntry entry = buffered.poll();
        return switch (entry.key()[0]) {
            case Keys.POST -> Values.post(entry.value());
            case Keys.CONVERSATION_MESSAGE -> Values.direct(entry.value());
            case Keys.AUTHOR_POST -> Values.socialPost(entry.value());
            default -> throw new IllegalStateException("invariant violated: a scanned key outside its range");
        };
    }
}
