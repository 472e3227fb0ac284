/**
 * The chat domain as a pure, deterministic state machine (design notes 1.2 and 2.1).
 *
 * <p>Map of the package:
 *
 * <ul>
 *   <li>{@link io.synod.core.ChatCommand}: the state-changing operations (login, channel, publish,
 *       private message), wrapped in a {@link io.synod.core.Command} with the log index, the accepting
 *       server's timestamp and Lamport clock, and the optional client and request ids;
 *   <li>{@link io.synod.core.ChatCommands}: the binary (MessagePack) encoding of commands, for the
 *       replicated log (versioned: a command with a {@link io.synod.core.Fingerprint}, which recognises a
 *       client's own retry of a write sent without ids, is written in version 2);
 *   <li>{@link io.synod.core.ChatStateMachine}: {@code apply(command) -> Result} plus the read-only
 *       queries (users, channels, histories), the state digest and snapshots;
 *   <li>{@link io.synod.core.ChatStore}: the ordered key-value storage the state machine owns as an
 *       interface (the RocksDB adapter lives in module {@code store}; the tests' in-memory one,
 *       {@code InMemoryChatStore}, in this module's test sources, shared as its test-jar).
 * </ul>
 *
 * <p>Nothing here reads a clock, starts a thread or performs I/O: time arrives inside commands.
 */
package io.synod.core;
