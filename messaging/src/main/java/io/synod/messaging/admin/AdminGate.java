package io.synod.messaging.admin;

/**
 * Who may change the cluster through an admin operation. In compat mode ({@link #OPEN}) anyone who reaches the
 * endpoint may, as the course protocol has it; in secure mode only a holder of the {@link AdminKey}, and with no key
 * configured nobody (secure mode never falls back to open).
 *
 * <p>Thread-safety: immutable.
 */
public final class AdminGate {
    /** Compat mode: admin operations need no key. */
    public static final AdminGate OPEN = new AdminGate(false, null);

    private final boolean keyRequired;
    private final AdminKey key;

    private AdminGate(boolean keyRequired, AdminKey key) {
        this.keyRequired = keyRequired;
        this.key = key;
    }

    /** Secure mode: admin operations need {@code key}; with null, none is allowed. */
    public static AdminGate secure(AdminKey key) {
        return new AdminGate(true, key);
    }

    /**
     * The gate of a process in secure mode ({@code secure}) or compat mode: a key, when one is given, is required in
     * either mode (an operator who set one means it); without one, secure mode allows nothing and compat mode all.
     */
    public static AdminGate of(boolean secure, AdminKey key) {
        return secure || key != null ? secure(key) : OPEN;
    }

    public boolean keyRequired() {
        return keyRequired;
    }

    /**
     * Why an operation presenting {@code secret} (null: none) is refused, or null when it is allowed. The reason says
     * what to do and never echoes what was presented.
     */
    public String refusal(String secret) {
        if (!keyRequired) {
            return null;
        }
        if (key == null) {
            return "admin operations are disabled: this process runs in secure mode without --admin-key";
        }
        if (secret == null || secret.isBlank()) {
            return "the admin key is required in secure mode (send the content of the --admin-key file)";
        }
        return key.matches(secret) ? null : "wrong admin key";
    }

    @Override
    public String toString() {
        return keyRequired
                ? (key == null ? "AdminGate[secure, no key]" : "AdminGate[secure, keyed]")
                : "AdminGate[open]";
    }
}
