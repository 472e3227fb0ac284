package io.synod.server;

import io.synod.messaging.admin.AdminGate;
import io.synod.messaging.admin.AdminOptions;
import java.util.Objects;

/**
 * Where a server's admin endpoint binds (its port is {@link ServerConfig#adminPort}) and who may use its guarded routes
 * and {@code synod admin}.
 *
 * @param host the address to bind: loopback by default, {@code 0.0.0.0} in a container
 * @param gate the admin key check ({@link AdminGate#OPEN} in compat mode without a key)
 */
public record ServerAdmin(String host, AdminGate gate) {
    /** Loopback, no key: the default, as before admin keys. */
    public static final ServerAdmin LOOPBACK = new ServerAdmin(AdminOptions.HOST_DEFAULT, AdminGate.OPEN);

    public ServerAdmin {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(gate, "gate");
    }
}
