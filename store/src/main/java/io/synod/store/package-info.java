/**
 * The embedded store adapter (design notes 1.4): {@link io.synod.store.RocksDbChatStore} implements
 * the core's {@link io.synod.core.ChatStore} on RocksDB in the server's own data directory, with one
 * synced atomic write batch per applied command.
 */
package io.synod.store;
