/**
 * JMH microbenchmarks. {@link io.synod.bench.PaxosCoreBenchmark} measures decided commands per second of the pure
 * Multi-Paxos core with batching, 3 and 5 replicas in one process; {@link io.synod.bench.CodecBenchmark} the
 * encodings a {@code publish} request goes through (wire request, reply, publication, chat command in a Paxos
 * Accept); {@link io.synod.bench.ChatStateMachineBenchmark} one {@code ChatStateMachine.apply} over the in-memory and
 * the RocksDB store. {@link io.synod.bench.CpuTimeRunner} times the latter two by thread CPU time, for a shared
 * machine. See docs/performance.md for how to run them. The load tool behind {@code ./synod bench} is the
 * sibling package {@code io.synod.bench.load}.
 */
package io.synod.bench;
