/**
 * Multi-Paxos as a pure, deterministic state machine (no I/O, no clock, no threads).
 *
 * <p>Map of the package:
 *
 * <ul>
 *   <li>{@link io.synod.consensus.PaxosReplica}: the entry point; one replica with the tick/step/propose/ready/advance
 *       API. {@link io.synod.consensus.Ready} states the driver's obligations in order (persist, send, install
 *       snapshot, apply, advance, with the early Accepts and early applies); {@link io.synod.consensus.ReadyRunner}
 *       carries them out through a driver's effects, the one copy of that order.
 *   <li>Roles (package-private, named after Paxos Made Simple): {@code Acceptor} (phases 1b/2b),
 *       {@code Leader} (proposer: prepare phase, then pipelined accept phase with batching), {@code Learner}
 *       (decided log, apply order, snapshots, membership timeline).
 *   <li>Values: {@link io.synod.consensus.Ballot}, {@link io.synod.consensus.LogCommand}, {@link
 *       io.synod.consensus.Batch} (the value of one slot; empty = no-op), {@link io.synod.consensus.LogEntry},
 *       {@link io.synod.consensus.Membership}, {@link io.synod.consensus.Snapshot}.
 *   <li>Wire and disk: {@link io.synod.consensus.PaxosMessage} (sealed), {@link io.synod.consensus.PaxosEnvelope},
 *       {@link io.synod.consensus.DurableRecord} (sealed), {@link io.synod.consensus.DurableState}, {@link
 *       io.synod.consensus.DurableLog} (implemented by the store adapter), {@link
 *       io.synod.consensus.InMemoryDurableLog}, {@link io.synod.consensus.PaxosCodec}.
 *   <li>{@link io.synod.consensus.PaxosConfig}: every limit, validated.
 * </ul>
 *
 * <p>Design rationale: docs/decisions/0001-multi-paxos.md and 0002-membership.md.
 */
package io.synod.consensus;
