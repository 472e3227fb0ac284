/**
 * The reference process's logic as a pure state machine (statement part 4, requirement S3):
 * {@link io.synod.registry.ServerRegistry} assigns stable ranks, tracks heartbeats and lists the
 * live servers. Time is an input (epoch milliseconds); persistence is the adapter's job, through
 * {@link io.synod.registry.ServerRegistry#exportState()} and
 * {@link io.synod.registry.ServerRegistry#restore}.
 */
package io.synod.registry;
