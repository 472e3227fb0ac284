/**
 * The reference process (statement part 4, requirement S3): {@link
 * io.synod.server.reference.ReferenceServer} serves {@code rank}, {@code list} and {@code heartbeat}
 * on a REP socket with the pure {@link io.synod.registry.ServerRegistry}, and persists the ranks in
 * its data directory with {@link io.synod.server.reference.RegistryFile}.
 */
package io.synod.server.reference;
