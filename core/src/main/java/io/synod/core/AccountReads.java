package io.synod.core;

import java.util.List;

/**
 * What a server reads of accounts from its applied state: the stored password hash it checks a login against, and
 * the live sessions it checks a private read's token against ({@link AccountRules} writes them).
 *
 * <p>Thread-safety: as the store it reads (the event loop's).
 */
public final class AccountReads {
    private final ChatStore store;

    AccountReads(ChatStore store) {
        this.store = store;
    }

    /** The stored password hash of {@code user} (the server's format), or null if the user set no password. */
    public String passwordHash(String user) {
        byte[] stored = store.get(Keys.password(ChatInvariants.requireKeyName("user", user)));
        return stored == null ? null : Values.stringAt(Values.decode(stored, 1), 0);
    }

    /** The user of the session {@code sessionHash} if it is live at {@code nowSeconds}; null if unknown or over. */
    public String sessionUser(String sessionHash, double nowSeconds) {
        byte[] stored = store.get(Keys.session(ChatInvariants.requireKeyName("session", sessionHash)));
        if (stored == null) {
            return null;
        }
        List<Object> session = Values.decode(stored, 2);
        return nowSeconds < Values.longAt(session, 1) ? Values.stringAt(session, 0) : null;
    }
}
