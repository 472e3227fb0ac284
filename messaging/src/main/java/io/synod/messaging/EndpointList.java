package io.synod.messaging;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A list of ZeroMQ endpoints written as one option value, {@code tcp://a:5555,tcp://b:5555}: how every Synod process
 * is given several brokers or proxies (docs/protocol.md, "Several brokers and proxies"). One endpoint is the list of
 * one, so a single endpoint means what it always meant.
 *
 * <p>Thread-safety: stateless.
 */
public final class EndpointList {
    /**
     * Most endpoints in one list. A server tags each request with the index of the broker link it came in on in one
     * byte, and each endpoint costs every process a connection: a handful of brokers is the use.
     */
    public static final int ENDPOINTS_MAX = 64;

    private EndpointList() {}

    /**
     * Splits {@code value} at commas, trimming each part.
     *
     * @param name the option or field named in the error
     * @throws IllegalArgumentException naming {@code name} if a part is empty, repeated, or there are more than
     *     {@link #ENDPOINTS_MAX}
     */
    public static List<String> parse(String value, String name) {
        Objects.requireNonNull(value, name);
        List<String> endpoints = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String endpoint = part.trim();
            if (endpoint.isEmpty()) {
                throw new IllegalArgumentException(name + " has an empty endpoint in '" + value + "'");
            }
            endpoints.add(endpoint);
        }
        if (endpoints.size() > ENDPOINTS_MAX) {
            throw new IllegalArgumentException(
                    name + " lists " + endpoints.size() + " endpoints; at most " + ENDPOINTS_MAX);
        }
        if (new LinkedHashSet<>(endpoints).size() != endpoints.size()) {
            throw new IllegalArgumentException(name + " lists an endpoint twice: '" + value + "'");
        }
        return List.copyOf(endpoints);
    }

    /** The option value of {@code endpoints}: joined with commas. */
    public static String join(List<String> endpoints) {
        return String.join(",", endpoints);
    }
}
