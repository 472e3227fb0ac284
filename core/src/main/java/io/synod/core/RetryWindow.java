package io.synod.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The recent sends without ids of one owner (a user for {@code login}, {@code publish} and {@code message}; the
 * channel for {@code channel}, which names no user), stored under {@code Keys.retries}: the {@link Fingerprint} of
 * each and its outcome, newest last, at most {@link #SENDS_MAX}. A write whose fingerprint is here is the same send
 * retried: it gets the outcome of the first and applies nothing.
 *
 * <p>Stored as a MessagePack array {@code [high1, low1, error1|nil, high2, low2, error2|nil, ...]}, oldest first (nil:
 * the send succeeded): about 300 bytes per owner, more with long error texts. Immutable.
 */
record RetryWindow(List<Send> sends) {
    /**
     * Sends remembered per owner. A Lazy Pirate client retries after a few seconds with nothing else of its own in
     * between (a REQ socket has one request in flight); this leaves room for 15 sends by other clients under the same
     * name meanwhile.
     */
    static final int SENDS_MAX = 16;

    /** One remembered send: its fingerprint and its error text, null if it succeeded. */
    record Send(Fingerprint fingerprint, String errorText) {}

    private static final RetryWindow EMPTY = new RetryWindow(List.of());

    RetryWindow {
        sends = List.copyOf(sends);
        ChatInvariants.check(sends.size() <= SENDS_MAX, "a retry window holds at most " + SENDS_MAX + " sends");
    }

    static RetryWindow read(byte[] stored) {
        if (stored == null) {
            return EMPTY;
        }
        List<Object> v = Values.decodeList(stored);
        ChatInvariants.check(v.size() % 3 == 0, "a retry window has 3k items, found " + v.size());
        List<Send> sends = new ArrayList<>(v.size() / 3);
        for (int i = 0; i < v.size(); i += 3) {
            Object error = v.get(i + 2);
            ChatInvariants.check(error == null || error instanceof String, "a retry window's error is a string or nil");
            sends.add(new Send(new Fingerprint(Values.longAt(v, i), Values.longAt(v, i + 1)), (String) error));
        }
        return new RetryWindow(sends);
    }

    /** The remembered send with this fingerprint, or null. */
    Send find(Fingerprint fingerprint) {
        for (Send send : sends) {
            if (send.fingerprint().equals(fingerprint)) {
                return send;
            }
        }
        return null;
    }

    /** This window with a new send at the end; the oldest is forgotten beyond {@link #SENDS_MAX}. */
    RetryWindow with(Fingerprint fingerprint, String errorText) {
        ChatInvariants.require(find(fingerprint) == null, "a send is remembered once");
        List<Send> next = new ArrayList<>(sends.subList(sends.size() < SENDS_MAX ? 0 : 1, sends.size()));
        next.add(new Send(fingerprint, errorText));
        return new RetryWindow(next);
    }

    byte[] encode() {
        Object[] items = new Object[3 * sends.size()];
        int i = 0;
        for (Send send : sends) {
            items[i++] = send.fingerprint().high();
            items[i++] = send.fingerprint().low();
            items[i++] = send.errorText();
        }
        return Values.encode(items);
    }
}
