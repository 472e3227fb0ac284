package io.synod.messaging.admin;

import java.util.Objects;

/**
 * One named check behind {@code /health}: the endpoint answers 200 only when every check passes, 503 otherwise, and
 * names each one with its detail so an operator sees which failed.
 *
 * @param name a stable snake_case name, e.g. {@code store_writable}
 * @param ok whether it passed
 * @param detail what was found, for a person (never a secret)
 */
public record HealthCheck(String name, boolean ok, String detail) {
    public HealthCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(detail, "detail");
    }

    public static HealthCheck pass(String name, String detail) {
        return new HealthCheck(name, true, detail);
    }

    public static HealthCheck fail(String name, String detail) {
        return new HealthCheck(name, false, detail);
    }

    /** A check that passes when {@code ok}, with the detail either way. */
    public static HealthCheck of(String name, boolean ok, String detail) {
        return new HealthCheck(name, ok, detail);
    }
}
