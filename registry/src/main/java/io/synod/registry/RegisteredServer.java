package io.synod.registry;

/**
 * One server known to the registry.
 *
 * @param name the unique server name
 * @param rank its rank: 1 for the first server ever registered, then 2, 3...; stable forever
 * @param address the peer address it advertised (extension), or null
 *     <p>Thread-safety: immutable.
 */
public record RegisteredServer(String name, long rank, String address) {}
