/**
 * The embedded store adapter (design notes 1.4): {@link io.synod.store.RocksDbChatStore} implements
 * the core's {@link io.synod.core.ChatStore} on RocksDB in the server's own data directory, with one
 * synced atomic write batch per applied command; {@link io.synod.store.RocksDbDurableLog} implements
 * consensus's {@link io.synod.consensus.DurableLog} in a separate database, one synced batch per
 * {@code Ready}.
 */
package io.synod.store;
