/**
 * The embedded store adapter (design notes 1.4), one RocksDB database in {@code <data-dir>/state}:
 * {@link io.synod.store.RocksDbChatStore} implements the core's {@link io.synod.core.ChatStore} (one atomic write
 * batch per applied command, group-committed by {@code sync}); {@link io.synod.store.RocksDbDurableLog} implements
 * consensus's {@link io.synod.consensus.DurableLog} in the same database's {@code paxos} column family, one batch per
 * {@code Ready}; {@link io.synod.store.Checkpoints} keeps the snapshots as RocksDB checkpoints in
 * {@code <data-dir>/snapshots}, described by a {@link io.synod.store.CheckpointManifest}, served and received in
 * chunks and installed into the store.
 */
package io.synod.store;
