/**
 * JMH microbenchmarks. {@link io.synod.bench.PaxosCoreBenchmark} measures decided commands per second of the pure
 * Multi-Paxos core with batching, 3 and 5 replicas in one process. See docs/performance.md for how to run them.
 */
package io.synod.bench;
