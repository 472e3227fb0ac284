/**
 * The chat server process (design notes 1.1): {@link io.synod.server.ChatServer} wires the pure
 * {@link io.synod.core.ChatStateMachine} to RocksDB ({@code store}), to the broker (a DEALER
 * socket, the ZeroMQ guide's asynchronous server), to the pub/sub proxy (a PUB socket), to the
 * reference (a Lazy Pirate REQ socket, {@link io.synod.server.ReferenceClient}) and to an admin HTTP
 * endpoint ({@link io.synod.server.AdminHttp}).
 *
 * <p>Threads: one event-loop thread owns every socket and the state machine; the admin HTTP
 * threads only read a published {@link io.synod.server.ServerStatus} and thread-safe metrics.
 * {@link io.synod.server.ChatService} turns one request frame into one reply and its publications
 * without touching a socket, so it is tested directly.
 */
package io.synod.server;
